using Npgsql;
using TaskPipeline.Data.Tasks;
using TaskPipeline.Tests.Distributed.Api;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Data;

/// <summary>
/// One identity per claim, replayed step by step against the app's real database with the services' own statements:
/// the tasks are stored held (the Producer's sweep leaves them alone for an hour) and only the test claims them, as
/// a Consumer named <see cref="Owner"/>.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class ClaimIdentityTests(TaskApiFixture app) : IAsyncLifetime
{
    private const string Owner = "claim-identity-test";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    private NpgsqlDataSource _dataSource = null!;

    public Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(app.App.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task AnOutcomeHeldBackAcrossCancelRetryAndReclaimBySameConsumerChangesNothing()
    {
        var id = await HeldTaskAsync();
        var claims = new TaskClaims(_dataSource);
        var completions = new TaskCompletions(_dataSource);

        // Attempt 1 finishes; its outcome waits (in the Consumer, behind a database error).
        var first = Assert.Single((await claims.ClaimAsync([id], Owner, Lease, CancellationToken.None)).Claimed);
        var heldBack = new TaskOutcome(id, first.Claim, Error: null);

        // The task is canceled, retried, and claimed again by the same Consumer: again as attempt 1.
        Assert.True((await new TaskCancellations(_dataSource).CancelAsync(id, CancellationToken.None))?.Changed);
        Assert.True((await new TaskRetries(_dataSource).RetryAsync(id, TimeSpan.FromHours(1), CancellationToken.None))?.Changed);
        var second = Assert.Single((await claims.ClaimAsync([id], Owner, Lease, CancellationToken.None)).Claimed);
        Assert.Equal(first.Attempt, second.Attempt);
        Assert.True(second.Claim > first.Claim, $"claim {second.Claim} after claim {first.Claim}");

        // The old outcome is written now: it names a claim that no longer exists.
        var stale = await completions.CompleteAsync([heldBack], [], Owner, 5, Backoff, CancellationToken.None);
        Assert.Equal(0, stale.Done);
        Assert.Equal(("processing", second.Claim), await StateAndClaimAsync(id));

        // The new claim is still renewable and completes once; writing its outcome again changes nothing.
        Assert.Contains(id, await new TaskLeases(_dataSource).RenewAsync([id], [second.Claim], Owner, Lease, CancellationToken.None));
        var fresh = new TaskOutcome(id, second.Claim, Error: null);
        Assert.Equal(1, (await completions.CompleteAsync([fresh], [], Owner, 5, Backoff, CancellationToken.None)).Done);
        Assert.Equal(0, (await completions.CompleteAsync([fresh], [], Owner, 5, Backoff, CancellationToken.None)).Done);
        Assert.Equal(("done", second.Claim), await StateAndClaimAsync(id));
    }

    [Fact]
    public async Task AReleasedClaimCanNeitherRenewNorCompleteTheNextClaim()
    {
        var id = await HeldTaskAsync();
        var claims = new TaskClaims(_dataSource);
        var leases = new TaskLeases(_dataSource);

        var released = Assert.Single((await claims.ClaimAsync([id], Owner, Lease, CancellationToken.None)).Claimed);
        Assert.Equal(1, await leases.ReleaseAsync([id], [released.Claim], Owner, CancellationToken.None));
        var next = Assert.Single((await claims.ClaimAsync([id], Owner, Lease, CancellationToken.None)).Claimed);

        // A release gives the attempt back, but never the claim number.
        Assert.Equal(released.Attempt, next.Attempt);
        Assert.True(next.Claim > released.Claim);
        Assert.Empty(await leases.RenewAsync([id], [released.Claim], Owner, Lease, CancellationToken.None));
        Assert.Equal(0, await leases.ReleaseAsync([id], [released.Claim], Owner, CancellationToken.None));
        var failed = new TaskOutcome(id, released.Claim, "outcome of the released claim");
        var result = await new TaskCompletions(_dataSource).CompleteAsync([], [failed], Owner, 5, Backoff, CancellationToken.None);
        Assert.Equal(0, result.FailedAttemptsByType.Sum());
        Assert.Equal(("processing", next.Claim), await StateAndClaimAsync(id));

        Assert.Equal(1, await leases.ReleaseAsync([id], [next.Claim], Owner, CancellationToken.None));

        // Left finished, so the Producer's sweep does not send it to the app's Consumer.
        Assert.True((await new TaskCancellations(_dataSource).CancelAsync(id, CancellationToken.None))?.Changed);
    }

    private async Task<Guid> HeldTaskAsync()
    {
        var item = Assert.Single(await TaskRows.InsertHeldAsync(app.App.ConnectionString, 1, CancellationToken.None));
        return TaskRows.ToGuid(item.Id);
    }

    private async Task<(string State, int Claim)> StateAndClaimAsync(Guid id)
    {
        await using var command = _dataSource.CreateCommand("SELECT state::text, claim FROM tasks WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetInt32(1));
    }
}
