using System.Globalization;
using System.Text.Json;

namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>Logging:Format=json: what the services print, read back line by line.</summary>
[Collection(ObservabilityTests.Name)]
public sealed class JsonLogTests(ObservabilityFixture fixture)
{
    private const int TaskReceivedEventId = 1001;

    [Fact]
    public async Task EveryLineTheServicesPrintIsOneJsonObjectWithTimestampLevelCategoryAndMessage()
    {
        var replicas = Enumerable.Range(0, ObservabilityFixture.ConsumerReplicas).Select(i => (ObservabilityFixture.ConsumerResource, i))
            .Append((ObservabilityFixture.ProducerResource, 0));
        foreach (var (service, replica) in replicas)
        {
            var lines = await ServiceLinesAsync(service, replica);
            Assert.True(lines.Count > 0, $"{service}-{replica} printed nothing");
            foreach (var line in lines)
            {
                using var entry = Parse(service, replica, line);
                var root = entry.RootElement;
                Assert.True(DateTimeOffset.TryParse(root.GetProperty("Timestamp").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _), line);
                Assert.Contains(root.GetProperty("LogLevel").GetString(), (string[])["Trace", "Debug", "Information", "Warning", "Error", "Critical"]);
                Assert.False(string.IsNullOrEmpty(root.GetProperty("Category").GetString()), line);
                Assert.False(string.IsNullOrEmpty(root.GetProperty("Message").GetString()), line);
                Assert.Equal(JsonValueKind.Number, root.GetProperty("EventId").ValueKind);
            }
        }
    }

    [Fact]
    public async Task ATaskReceivedLineCarriesItsFieldsAndTheTraceOfTheSubmitThatClaimedIt()
    {
        var received = new List<JsonDocument>();
        for (var replica = 0; replica < ObservabilityFixture.ConsumerReplicas; replica++)
        {
            received.AddRange((await ServiceLinesAsync(ObservabilityFixture.ConsumerResource, replica)).Select(line => Parse(ObservabilityFixture.ConsumerResource, replica, line)));
        }

        received.RemoveAll(entry =>
        {
            var other = entry.RootElement.GetProperty("EventId").GetInt32() != TaskReceivedEventId;
            if (other)
            {
                entry.Dispose();
            }

            return other;
        });
        try
        {
            Assert.NotEmpty(received);
            var fields = received[0].RootElement.GetProperty("State");
            Assert.True(Guid.TryParse(fields.GetProperty("TaskId").GetString(), out _));
            Assert.InRange(fields.GetProperty("TaskType").GetInt32(), 0, 9);
            Assert.InRange(fields.GetProperty("TaskValue").GetInt32(), 0, 99);
            Assert.True(fields.GetProperty("TypeValueTotal").GetInt64() >= fields.GetProperty("TaskValue").GetInt32());

            // Every line written inside the Submit names its trace and span; the same trace holds that task's work.
            var logged = received.Select(entry => (
                TaskId: entry.RootElement.GetProperty("State").GetProperty("TaskId").GetString()!,
                Ids: TraceIds(entry.RootElement))).ToList();
            Assert.All(logged, line => Assert.Matches("^[0-9a-f]{32}$", line.Ids.TraceId));
            Assert.All(logged, line => Assert.Matches("^[0-9a-f]{16}$", line.Ids.SpanId));

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var work = fixture.Receiver.Store.Snapshot().Where(s => s.Name == "task.process")
                    .ToDictionary(s => (s.Attribute("taskpipeline.task.id"), s.TraceId, s.ParentSpanId));
                if (logged.Any(line => work.ContainsKey((line.TaskId, line.Ids.TraceId, line.Ids.SpanId))))
                {
                    return;
                }

                Assert.True(DateTime.UtcNow < deadline, "no task.process span shares the trace and parent span of its 'received' log line");
                await Task.Delay(500);
            }
        }
        finally
        {
            received.ForEach(entry => entry.Dispose());
        }
    }

    /// <summary>What the service itself printed: the AppHost's own notes about it (Aspire's) are not its output.</summary>
    private async Task<IReadOnlyList<string>> ServiceLinesAsync(string service, int replica) =>
        (await ResourceLogs.ReadAsync(fixture.App, service, replica)).Output;

    private static JsonDocument Parse(string service, int replica, string line)
    {
        try
        {
            var document = JsonDocument.Parse(line);
            Assert.True(document.RootElement.ValueKind == JsonValueKind.Object, $"{service}-{replica}: not a JSON object: {line}");
            return document;
        }
        catch (JsonException exception)
        {
            throw new Xunit.Sdk.XunitException($"{service}-{replica} printed a line that is not JSON ({exception.Message}): {line}");
        }
    }

    /// <summary>The activity's ids, which the JSON console formatter writes as a scope.</summary>
    private static (string TraceId, string SpanId) TraceIds(JsonElement entry)
    {
        foreach (var scope in entry.GetProperty("Scopes").EnumerateArray())
        {
            if (scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out var traceId) && scope.TryGetProperty("SpanId", out var spanId))
            {
                return (traceId.GetString()!, spanId.GetString()!);
            }
        }

        return (string.Empty, string.Empty);
    }
}
