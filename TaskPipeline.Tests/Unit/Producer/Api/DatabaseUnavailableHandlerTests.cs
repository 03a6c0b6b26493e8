extern alias producer;

using System.Net.Sockets;
using Npgsql;
using producer::TaskPipeline.Producer.Api;

namespace TaskPipeline.Tests.Unit.Producer.Api;

/// <summary>Which failures the API answers 503 (the database is away) rather than 500.</summary>
public sealed class DatabaseUnavailableHandlerTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CrashShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    public void ARestartingServerIsUnavailable(string sqlState) =>
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(new PostgresException("restart", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void ARefusedConnectionOrATimeoutIsUnavailableAlsoWhenWrapped()
    {
        var refused = new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused));
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(refused));
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(new AggregateException(new InvalidOperationException("other"), refused)));
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(new InvalidOperationException("wrapped", new TimeoutException())));
    }

    [Fact]
    public void ABugOrARefusedStatementIsNotUnavailable()
    {
        Assert.False(DatabaseUnavailableHandler.IsDatabaseUnavailable(new PostgresException("missing", "ERROR", "ERROR", PostgresErrorCodes.UndefinedTable)));
        Assert.False(DatabaseUnavailableHandler.IsDatabaseUnavailable(new InvalidOperationException("bug")));
        Assert.False(DatabaseUnavailableHandler.IsDatabaseUnavailable(new OperationCanceledException()));
    }
}
