using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace TaskPipeline.Tests.Distributed.Observability;

[CollectionDefinition(Name)]
public sealed class ProfilingSuite : ICollectionFixture<ProfilingFixture>
{
    public const string Name = "Profiling";
}

/// <summary>The profiling port of a running Consumer: .NET's pprof.</summary>
[Collection(ProfilingSuite.Name)]
public sealed class ProfilingTests(ProfilingFixture fixture) : IDisposable
{
    private const string OwnNamespace = "TaskPipeline.Consumer";
    private static readonly byte[] NettraceMagic = Encoding.ASCII.GetBytes("Nettrace");

    // Microsoft-DotNETCore-SampleProfiler, the runtime's thread sampler: TraceEvent knows its events by the GUID only.
    private static readonly Guid SampleProfiler = new("3c530d44-97ae-513a-1e6d-783e8f8e03a9");

    private readonly string _directory = Directory.CreateTempSubdirectory("taskpipeline-profiles-").FullName;

    [Fact]
    public async Task ACpuProfileIsANettraceWithSamplesThatNamesTheServicesOwnMethods()
    {
        var path = await DownloadAsync("/debug/cpu?seconds=2", ".nettrace");

        Assert.Equal(NettraceMagic, File.ReadAllBytes(path).AsSpan(0, NettraceMagic.Length).ToArray());
        var samples = 0;
        var ownMethods = new HashSet<string>(StringComparer.Ordinal);
        using (var source = new EventPipeEventSource(path))
        {
            source.AllEvents += data =>
            {
                if (data.ProviderGuid == SampleProfiler)
                {
                    samples++;
                }
            };
            var rundown = new ClrRundownTraceEventParser(source);
            rundown.MethodDCStopVerbose += data =>
            {
                if (data.MethodNamespace.StartsWith(OwnNamespace, StringComparison.Ordinal))
                {
                    ownMethods.Add($"{data.MethodNamespace}.{data.MethodName}");
                }
            };
            source.Process();
        }

        Assert.True(samples > 100, $"only {samples} samples in 2 s");
        Assert.Contains(ownMethods, method => method.StartsWith($"{OwnNamespace}.Submit.TaskProcessorService", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSpeedscopeConversionIsAFlameGraphWhoseSamplesHitTheServicesOwnMethods()
    {
        var path = await DownloadAsync("/debug/cpu?seconds=2&format=speedscope", ".speedscope.json");

        using var profile = JsonDocument.Parse(File.ReadAllText(path));
        var root = profile.RootElement;
        Assert.Contains("speedscope", root.GetProperty("$schema").GetString(), StringComparison.Ordinal);
        var frames = root.GetProperty("shared").GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToList();
        var ownFrames = frames.Select((name, index) => (name, index)).Where(f => f.name.Contains(OwnNamespace, StringComparison.Ordinal)).Select(f => f.index).ToHashSet();
        Assert.NotEmpty(ownFrames);

        var profiles = root.GetProperty("profiles").EnumerateArray().ToList();
        Assert.NotEmpty(profiles);
        var events = profiles.SelectMany(p => p.GetProperty("events").EnumerateArray()).ToList();
        Assert.NotEmpty(events);
        Assert.Contains(events, e => ownFrames.Contains(e.GetProperty("frame").GetInt32()));
    }

    [Fact]
    public async Task AHeapSnapshotIsTheGcHeapWalkAndNamesTheServicesOwnTypes()
    {
        var path = await DownloadAsync("/debug/gcdump", ".gcdump.nettrace");

        Assert.Equal(NettraceMagic, File.ReadAllBytes(path).AsSpan(0, NettraceMagic.Length).ToArray());
        var types = new HashSet<string>(StringComparer.Ordinal);
        long objects = 0;
        var gen2 = false;
        using (var source = new EventPipeEventSource(path))
        {
            source.Clr.TypeBulkType += data =>
            {
                for (var i = 0; i < data.Count; i++)
                {
                    types.Add(data.Values(i).TypeName);
                }
            };
            source.Clr.GCBulkNode += data => objects += data.Count;
            source.Clr.GCStart += data => gen2 |= data.Depth == 2;
            source.Process();
        }

        Assert.True(gen2, "no gen-2 collection in the snapshot");
        Assert.True(objects > 1000, $"only {objects} objects walked");
        Assert.Contains($"{OwnNamespace}.WorkQueue", types);
        Assert.Contains($"{OwnNamespace}.Work.TaskWorker", types);
    }

    [Fact]
    public async Task TheHeapSnapshotReportCountsObjectsAndBytesByType()
    {
        using var response = await fixture.Profiling.GetAsync("/debug/gcdump?format=json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = report.RootElement;
        Assert.True(root.GetProperty("objects").GetInt64() > 1000);
        Assert.True(root.GetProperty("bytes").GetInt64() > 100_000);
        var types = root.GetProperty("types").EnumerateArray().ToList();
        var queue = Assert.Single(types, t => t.GetProperty("type").GetString() == $"{OwnNamespace}.WorkQueue");
        Assert.Equal(1, queue.GetProperty("count").GetInt64());
        Assert.True(queue.GetProperty("bytes").GetInt64() > 0);
        var sizes = types.Select(t => t.GetProperty("bytes").GetInt64()).ToList();
        Assert.Equal(sizes.OrderDescending(), sizes);
    }

    [Fact]
    public async Task AProcessDumpIsAnElfCoreFile()
    {
        var path = await DownloadAsync("/debug/dump?type=mini", ".dmp");

        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1024 * 1024, $"a {bytes.Length}-byte dump");
        Assert.Equal("\u007fELF"u8.ToArray(), bytes.AsSpan(0, 4).ToArray());
    }

    [Fact]
    public async Task RuntimeCountersCoverGcThreadPoolAllocationRateAndExceptions()
    {
        using var counters = JsonDocument.Parse(await fixture.Profiling.GetStringAsync("/debug/counters"));
        var root = counters.RootElement;

        var gc = root.GetProperty("gc");
        Assert.True(gc.GetProperty("heapSizeBytes").GetInt64() > 0);
        Assert.True(gc.GetProperty("totalAllocatedBytes").GetInt64() > 0);
        Assert.True(gc.GetProperty("allocationRateBytesPerSecond").GetDouble() >= 0);
        Assert.True(gc.GetProperty("gen0Collections").GetInt32() >= 0);
        Assert.True(root.GetProperty("threadPool").GetProperty("threadCount").GetInt32() > 0);
        Assert.True(root.GetProperty("exceptions").GetInt64() >= 0);
        Assert.True(root.GetProperty("process").GetProperty("workingSetBytes").GetInt64() > 0);
    }

    [Theory]
    [InlineData("/debug/cpu?seconds=0", "seconds")]
    [InlineData("/debug/cpu?seconds=301", "seconds")]
    [InlineData("/debug/cpu?seconds=two", "seconds")]
    [InlineData("/debug/cpu?seconds=2&format=svg", "format")]
    [InlineData("/debug/gcdump?format=hprof", "format")]
    [InlineData("/debug/dump?type=everything", "type")]
    public async Task InvalidProfileRequestsAreRejectedWithProblemDetails(string request, string parameter)
    {
        using var response = await fixture.Profiling.GetAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task OnlyOneProfileRunsAtATime()
    {
        var first = fixture.Profiling.GetAsync("/debug/cpu?seconds=4");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        using (var second = await fixture.Profiling.GetAsync("/debug/gcdump"))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        }

        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
    }

    [Fact]
    public async Task ProfilingRoutesAreServedOnlyOnTheProfilingPortWhichListensOnLoopback()
    {
        using (var main = fixture.App.CreateHttpClient(ProfilingFixture.ConsumerResource))
        using (var response = await main.GetAsync("/debug/counters"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var management = fixture.App.CreateHttpClient(ProfilingFixture.ConsumerResource, "management"))
        using (var response = await management.GetAsync("/debug/counters"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        foreach (var path in (string[])["/metrics", "/health"])
        {
            using var response = await fixture.Profiling.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Contains((await ResourceLogs.ReadAsync(fixture.App, ProfilingFixture.ConsumerResource)).Output, line => line.EndsWith($"Now listening on: http://127.0.0.1:{fixture.ProfilingPort}", StringComparison.Ordinal));
        foreach (var address in NonLoopbackAddresses())
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(address, fixture.ProfilingPort));
        }
    }

    [Fact]
    public void WithoutPrometheusTheAppHostSaysSoInOneLineAndRunsOn()
    {
        var notes = fixture.AppHostLog.For(TaskPipeline.AppHost.AppHostLog.Category)
            .Where(note => note.Message.StartsWith("prometheus ", StringComparison.Ordinal))
            .ToList();

        var (level, message) = Assert.Single(notes);
        Assert.StartsWith("prometheus not found: ", message, StringComparison.Ordinal);
        Assert.Equal((int)Microsoft.Extensions.Logging.LogLevel.Warning, level);

        // No prometheus resource at all, and every resource of the system map running. (Aspire's hidden helpers,
        // such as a project's "rebuilder", start only on demand; parameters are values, not processes.)
        var model = fixture.App.App.Services.GetRequiredService<DistributedApplicationModel>();
        Assert.DoesNotContain(model.Resources, resource => resource.Name == ProfilingFixture.PrometheusResource);
        Assert.Throws<ArgumentException>(() => fixture.App.App.GetEndpoint(ProfilingFixture.PrometheusResource, "http"));
        var states = model.Resources
            .SelectMany(resource => fixture.App.ReplicaIds(resource.Name))
            .Select(id => fixture.App.App.ResourceNotifications.TryGetCurrentState(id, out var state) ? state! : throw new InvalidOperationException($"no state for {id}"))
            .Where(state => !state.Snapshot.IsHidden && state.Resource is not ParameterResource)
            .ToList();
        Assert.Equal(["consumer", "postgres", "producer", "tasksdb"], states.Select(state => state.Resource.Name).Distinct().Order(StringComparer.Ordinal));
        Assert.All(states, state => Assert.True(
            state.Snapshot.State?.Text == KnownResourceStates.Running, $"{state.ResourceId} is {state.Snapshot.State?.Text}"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<string> DownloadAsync(string request, string extension)
    {
        using var response = await fixture.Profiling.GetAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var name = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName;
        Assert.NotNull(name);
        Assert.StartsWith("consumer-", name.Trim('"'), StringComparison.Ordinal);
        Assert.EndsWith(extension, name.Trim('"'), StringComparison.Ordinal);

        var path = Path.Combine(_directory, name.Trim('"'));
        await using (var file = File.Create(path))
        {
            await response.Content.CopyToAsync(file);
        }

        return path;
    }

    private static IEnumerable<IPAddress> NonLoopbackAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.OperationalStatus == OperationalStatus.Up)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .Where(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address));
}
