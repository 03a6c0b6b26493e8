using System.Diagnostics;
using System.Globalization;
using TaskPipeline.Tests.Distributed.Deploy.Containers;
using TaskPipeline.Tests.Distributed;
using TaskPipeline.Tests.Support;
using Xunit.Abstractions;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// The Consumer's container image, built as azd builds it (<c>dotnet publish -r linux-x64 -c Release -t:PublishContainer</c>)
/// into an archive, without Docker. The official base image (mcr.microsoft.com/dotnet/aspnet:10.0) cannot be pulled on
/// machines that reach only package feeds, so the base is <see cref="LocalBaseImage"/> (this machine's ASP.NET Core
/// runtime, served from a loopback registry): what the test checks is what the SDK adds from the project's settings.
/// </summary>
[Collection(ContainerImageTestGroup.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContainerImageTests(ITestOutputHelper log) : IDisposable
{
    // What the services' csproj files declare for their images (ContainerPort, ContainerUser, Kestrel URLs).
    private const int HttpPort = 8080;
    private const int ManagementPort = 8081;
    private const int AppUserId = 1654;

    private const string BaseRepository = "dotnet/aspnet";
    private const string BaseTag = "10.0";

    private readonly string _work = TestDirectories.Create("image");

    [Fact]
    public async Task ConsumerImageRunsAsNonRootOnItsDeclaredPortsAndAnswersHealth()
    {
        var baseImage = LocalBaseImage.Build(Path.Combine(_work, "base"));
        using var registry = new LocalRegistry(FreePorts.Next(), new Dictionary<string, OciImage> { [$"{BaseRepository}:{BaseTag}"] = baseImage });
        var archive = Path.Combine(_work, "consumer.tar.gz");

        var (exitCode, output) = await PublishContainerAsync(ServiceProject.Consumer.ProjectFile, $"{registry.Host}/{BaseRepository}:{BaseTag}", archive);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"GET /v2/{BaseRepository}/manifests/{BaseTag}", registry.Requests);

        var image = ImageArchive.Open(archive);
        var config = image.Config["config"]!;
        Assert.Equal(["1.0.0", "latest"], image.Tags.Order(StringComparer.Ordinal));
        Assert.Equal("linux", (string?)image.Config["os"]);
        Assert.Equal("amd64", (string?)image.Config["architecture"]);
        Assert.Equal(["dotnet", "/app/TaskPipeline.Consumer.dll"], config["Entrypoint"]!.AsArray().Select(e => (string)e!));
        Assert.Equal("/app/", (string?)config["WorkingDir"]);
        Assert.Equal(AppUserId.ToString(CultureInfo.InvariantCulture), (string?)config["User"]);
        Assert.Equal(
            [$"{HttpPort}/tcp", $"{ManagementPort}/tcp"],
            config["ExposedPorts"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));

        var environment = config["Env"]!.AsArray().Select(e => ((string)e!).Split('=', 2)).ToDictionary(e => e[0], e => e[1]);
        // The ports the publishers map are the ones the image listens on, on every interface.
        Assert.Equal($"http://+:{HttpPort}", environment["Kestrel__Endpoints__http__Url"]);
        Assert.Equal($"http://+:{ManagementPort}", environment["Kestrel__Endpoints__management__Url"]);
        Assert.Equal("", environment["ASPNETCORE_HTTP_PORTS"]);
        Assert.Contains("app/TaskPipeline.Consumer.dll", image.LayerEntries(image.Layers[^1]));
        Assert.Contains("app/appsettings.json", image.LayerEntries(image.Layers[^1]));

        if (!ContainerRun.IsSupported)
        {
            log.WriteLine("not root or no util-linux unshare: the image's configuration was checked, running it was skipped");
            return;
        }

        await RunImageAsync(image, environment);
    }

    public void Dispose() => TestDirectories.Delete(_work);

    /// <summary>Unpacks the image and runs its entrypoint against a real PostgreSQL, as its user, until /health is 200.</summary>
    private async Task RunImageAsync(ImageArchive image, Dictionary<string, string> imageEnvironment)
    {
        var root = Path.Combine(_work, "rootfs");
        image.ExtractTo(root);

        // The app's PostgreSQL, through the AppHost; its own services make one task and idle.
        await using var app = await DistributedPipeline.StartAsync(
            new AppArguments { ConsumerReplicas = 1 }.Set("producer", "Producer:MaxTasks", 1), Path.Combine(_work, "state"));

        // The host's network is shared (no network namespace), so the fixed ports move to free ones, as `docker run
        // -e` would; the image's own values were checked above.
        var http = FreePorts.Next();
        var management = FreePorts.Next();
        var environment = new Dictionary<string, string>(imageEnvironment)
        {
            // The unpacked image has no hosts file of its own: the loopback address, not Aspire's "localhost".
            ["ConnectionStrings__tasksdb"] = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString) { Host = "127.0.0.1" }.ConnectionString,
            ["Kestrel__Endpoints__http__Url"] = $"http://+:{http}",
            ["Kestrel__Endpoints__management__Url"] = $"http://+:{management}",
            // Outside Development a Consumer requires the secret its callers send.
            ["Consumer__SubmitSecret"] = "container-test-secret-0123456789",
        };
        var config = image.Config["config"]!;
        using var container = ContainerRun.Start(
            root, (string)config["WorkingDir"]!, (string)config["User"]!, config["Entrypoint"]!.AsArray().Select(e => (string)e!), environment);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{management}") };
        var deadline = Stopwatch.StartNew();
        HttpResponseMessage? health = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !container.HasExited)
        {
            try
            {
                health = await client.GetAsync(new Uri("/health", UriKind.Relative));
                if (health.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        var logs = string.Join('\n', container.Output);
        log.WriteLine(logs);
        Assert.True(health?.IsSuccessStatusCode == true, $"the container did not become healthy:\n{logs}");
        Assert.Equal(AppUserId, container.EntrypointUid());
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("taskpipeline_consumer_", metrics, StringComparison.Ordinal);
        // The base image's ASPNETCORE_HTTP_PORTS is cleared: Kestrel has nothing to override.
        Assert.DoesNotContain("Overriding", logs, StringComparison.Ordinal);
    }

    /// <summary>
    /// dotnet publish with the SDK's container support, into its own artifacts folder (the repository's bin/obj are
    /// untouched, so a concurrent build is not disturbed).
    /// </summary>
    private async Task<(int ExitCode, string Output)> PublishContainerAsync(string project, string baseImage, string archive)
    {
        var start = ChildProcess.StartInfo(
            "dotnet",
            [
                "publish", project, "-c", "Release", "-r", "linux-x64", "-t:PublishContainer", "--disable-build-servers", "-nodeReuse:false",
                "--artifacts-path", Path.Combine(_work, "artifacts"),
                $"-p:ContainerBaseImage={baseImage}", $"-p:ContainerArchiveOutputPath={archive}",
            ],
            Path.GetDirectoryName(project));

        // The test host runs under `dotnet test`, whose MSBuild variables would steer the nested build.
        foreach (var name in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = baseImage.Split('/')[0];
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var (exitCode, output, error) = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(5));
        var text = output + error;
        log.WriteLine(text);
        return (exitCode, text);
    }
}
