using System.Net.Sockets;
using Npgsql;
using TaskPipeline.Data;

namespace TaskPipeline.Tests.Unit.Data;

public sealed class DatabaseFailureTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CrashShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.TooManyConnections)]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    public void AServerRestartingOrBusyIsTransient(string sqlState) =>
        Assert.True(DatabaseFailure.IsTransient(new PostgresException("server", "FATAL", "FATAL", sqlState)));

    [Theory]
    [InlineData(PostgresErrorCodes.UndefinedTable)]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege)]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    [InlineData(PostgresErrorCodes.CheckViolation)]
    public void AStatementTheServerRefusesIsNotTransient(string sqlState) =>
        Assert.False(DatabaseFailure.IsTransient(new PostgresException("refused", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void ALostConnectionOrATimeoutIsTransient()
    {
        Assert.True(DatabaseFailure.IsTransient(new NpgsqlException("Exception while reading from stream", new IOException("reset", new SocketException()))));
        Assert.True(DatabaseFailure.IsTransient(new TimeoutException()));
    }

    [Fact]
    public void AnythingElseIsNotADatabaseFailure()
    {
        Assert.False(DatabaseFailure.IsTransient(new InvalidOperationException()));
        Assert.False(DatabaseFailure.IsTransient(new OperationCanceledException()));
    }
}
