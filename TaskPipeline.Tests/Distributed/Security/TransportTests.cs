using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Security;

/// <summary>HTTPS from Kestrel's own configuration: a Producer given a certificate serves its API over TLS only.</summary>
[Collection(SecurityTests.Name)]
public sealed class TransportTests(SecurityFixture app)
{
    private const string Database = "tasksdb_tls";
    private const string Key = "tls-test-key-0123456789abcdefghijklmnopqrstuv";

    [Fact]
    public async Task WithACertificateConfiguredTheApiIsServedOverHttpsAndPlaintextIsRefused()
    {
        using var privateKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", privateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var directory = TestDirectories.Create("tls");
        var certificatePath = Path.Combine(directory, "tls.crt");
        var keyPath = Path.Combine(directory, "tls.key");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, privateKey.ExportPkcs8PrivateKeyPem());

        // Its own database on the app's server, so the tables the other tests compare stay untouched.
        await using (var admin = NpgsqlDataSource.Create(app.App.ConnectionString))
        {
            await admin.CreateCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)").ExecuteNonQueryAsync();
            await admin.CreateCommand($"CREATE DATABASE {Database}").ExecuteNonQueryAsync();
        }

        var https = FreePorts.Next();
        var management = FreePorts.Next();
        var producer = ServiceProject.Producer;
        var start = ChildProcess.StartInfo("dotnet", [producer.AssemblyPath], Path.GetDirectoryName(producer.AssemblyPath));
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__tasksdb"] = new NpgsqlConnectionStringBuilder(app.App.ConnectionString) { Database = Database }.ConnectionString;
        start.Environment["Kestrel__Endpoints__http__Url"] = $"https://127.0.0.1:{https}";
        start.Environment["Kestrel__Endpoints__http__Certificate__Path"] = certificatePath;
        start.Environment["Kestrel__Endpoints__http__Certificate__KeyPath"] = keyPath;
        start.Environment["Kestrel__Endpoints__management__Url"] = $"http://127.0.0.1:{management}";
        start.Environment["Auth__ApiKeys__tls__Hash"] = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Key)));
        start.Environment["Producer__MaxTasks"] = "1";
        start.Environment["Producer__ConsumerAddress"] = "http://127.0.0.1:1";
        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? string.Empty);
        process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitForHealthAsync(new Uri($"http://127.0.0.1:{management}/health"), process, output);

            using var handler = new HttpClientHandler
            {
                // Trust exactly this certificate: the test's, not the machine's store.
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{https}") };
            client.DefaultRequestHeaders.Add("X-Api-Key", Key);
            using (var response = await client.GetAsync(new Uri("/api/stats", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            using var plaintext = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{https}"), Timeout = TimeSpan.FromSeconds(10) };
            plaintext.DefaultRequestHeaders.Add("X-Api-Key", Key);
            var refused = await Record.ExceptionAsync(async () =>
            {
                using var response = await plaintext.GetAsync(new Uri("/api/stats", UriKind.Relative));
                Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            });
            Assert.True(refused is null or HttpRequestException, $"plaintext to the HTTPS endpoint: {refused}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await using var admin = NpgsqlDataSource.Create(app.App.ConnectionString);
            await admin.CreateCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)").ExecuteNonQueryAsync();
            TestDirectories.Delete(directory);
        }
    }

    private static async Task WaitForHealthAsync(Uri health, Process process, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(process.HasExited, $"the Producer exited with {(process.HasExited ? process.ExitCode : 0)}:\n{string.Join('\n', output)}");
            try
            {
                using var response = await probe.GetAsync(health);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new TimeoutException($"the Producer did not become healthy:\n{string.Join('\n', output)}");
    }
}
