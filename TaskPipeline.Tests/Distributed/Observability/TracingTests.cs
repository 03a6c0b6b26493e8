
namespace TaskPipeline.Tests.Distributed.Observability;

/// <summary>W3C trace context across the services, exported over OTLP to a receiver the test runs.</summary>
[Collection(ObservabilityTests.Name)]
public sealed class TracingTests(ObservabilityFixture fixture)
{
    private static readonly TimeSpan ExportWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ATaskIsOneTraceFromTheProducerThroughGrpcToTheConsumerAndPostgres()
    {
        var trace = await WaitForAsync(spans => CompleteTaskTraces(spans).FirstOrDefault());

        // Producer: the dispatch span, with the gRPC call below it.
        var dispatch = Assert.Single(trace, s => s.Service == ObservabilityFixture.ProducerResource && s.Name == "tasks.dispatch");
        Assert.Equal("TaskPipeline.Producer", dispatch.Scope);

        // Consumer: the Submit the call arrived as, the claim in PostgreSQL, and the task's work, all in the same trace.
        var work = trace.First(s => s.Service == ObservabilityFixture.ConsumerResource && s.Name == "task.process");
        var submit = Assert.Single(trace, s => s.SpanId == work.ParentSpanId);
        Assert.Equal(ObservabilityFixture.ConsumerResource, submit.Service);
        Assert.Equal(ReceivedSpan.ServerKind, submit.Kind);
        Assert.Contains(trace, s => s.Service == ObservabilityFixture.ConsumerResource && s.Scope == "Npgsql" && s.ParentSpanId == submit.SpanId);
        Assert.NotNull(work.Attribute("taskpipeline.task.id"));

        // The Submit's parent is the Producer's outgoing call, under the dispatch span.
        var ancestors = Ancestors(trace, submit).ToList();
        Assert.Equal(ObservabilityFixture.ProducerResource, ancestors[0].Service);
        Assert.Equal(ReceivedSpan.ClientKind, ancestors[0].Kind);
        Assert.Contains(dispatch, ancestors);
    }

    [Fact]
    public async Task DispatchSpansLinkToTheSpansThatStoredTheirTasks()
    {
        var (dispatch, store) = await WaitForAsync(spans =>
        {
            var stores = spans.Where(s => s.Name == "tasks.store").ToDictionary(s => (s.TraceId, s.SpanId));
            return spans.Where(s => s.Name == "tasks.dispatch")
                .SelectMany(d => d.Links.Where(stores.ContainsKey).Select(link => (d, stores[link])))
                .FirstOrDefault();
        });

        Assert.NotNull(dispatch);
        Assert.Equal(ObservabilityFixture.ProducerResource, store.Service);
        Assert.NotEqual(dispatch.TraceId, store.TraceId);
        // The store span's own trace holds the COPY into PostgreSQL.
        Assert.Contains(fixture.Receiver.Store.Snapshot(), s => s.TraceId == store.TraceId && s.Scope == "Npgsql" && s.ParentSpanId == store.SpanId);
    }

    [Fact]
    public async Task CompletionWritesLinkToTheWorkWhoseOutcomesTheyWrite()
    {
        var (complete, work) = await WaitForAsync(spans =>
        {
            var works = spans.Where(s => s.Name == "task.process").ToDictionary(s => (s.TraceId, s.SpanId));
            return spans.Where(s => s.Name == "tasks.complete")
                .SelectMany(c => c.Links.Where(works.ContainsKey).Select(link => (c, works[link])))
                .FirstOrDefault();
        });

        Assert.NotNull(complete);
        Assert.Equal(ObservabilityFixture.ConsumerResource, complete.Service);
        Assert.Equal(complete.Service, work.Service);
        Assert.Contains(fixture.Receiver.Store.Snapshot(), s => s.TraceId == complete.TraceId && s.Scope == "Npgsql" && s.ParentSpanId == complete.SpanId);
    }

    /// <summary>Traces holding spans of both services with the consumer's work and its PostgreSQL claim.</summary>
    internal static IEnumerable<List<ReceivedSpan>> CompleteTaskTraces(IReadOnlyList<ReceivedSpan> spans) =>
        spans.GroupBy(s => s.TraceId)
            .Select(trace => trace.ToList())
            .Where(trace =>
                trace.Any(s => s.Service == ObservabilityFixture.ProducerResource && s.Name == "tasks.dispatch")
                && trace.Any(s => s.Service == ObservabilityFixture.ConsumerResource && s.Name == "task.process")
                && trace.Any(s => s.Service == ObservabilityFixture.ConsumerResource && s.Scope == "Npgsql"));

    private static IEnumerable<ReceivedSpan> Ancestors(List<ReceivedSpan> trace, ReceivedSpan span)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        for (var parent = span.ParentSpanId; byId.TryGetValue(parent, out var next); parent = next.ParentSpanId)
        {
            yield return next;
        }
    }

    /// <summary>Spans arrive in batches about a second apart; waits until <paramref name="find"/> finds what it looks for.</summary>
    private async Task<T> WaitForAsync<T>(Func<IReadOnlyList<ReceivedSpan>, T?> find)
    {
        var deadline = DateTime.UtcNow + ExportWait;
        while (true)
        {
            var spans = fixture.Receiver.Store.Snapshot();
            if (find(spans) is { } found && !EqualityComparer<T>.Default.Equals(found, default))
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                var summary = string.Join(", ", spans.GroupBy(s => $"{s.Service}/{s.Scope}/{s.Name}").Select(g => $"{g.Key}×{g.Count()}").Take(40));
                throw new TimeoutException($"not found within {ExportWait.TotalSeconds:0} s among {spans.Count} span(s): {summary}");
            }

            await Task.Delay(500);
        }
    }
}
