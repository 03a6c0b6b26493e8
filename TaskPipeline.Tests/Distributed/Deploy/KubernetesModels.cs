using TaskPipeline.Tests.Support;

namespace TaskPipeline.Tests.Distributed.Deploy;

/// <summary>
/// Offline validation of Kubernetes objects against the Kubernetes OpenAPI schemas with the npm package
/// <c>kubernetes-models</c> 5 (<c>new apps.Deployment(obj).validate()</c>, js-yaml to read the file). The packages are
/// installed once under the test output folder (bin/, never committed; ~26 MB, ~20 s), then each check takes ~1 s.
/// Needs node and npm on PATH and the npm registry reachable for the first install.
/// </summary>
internal static class KubernetesModels
{
    private const string KubernetesModelsVersion = "5.1.0";
    private const string JsYamlVersion = "4.3.2";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "kubernetes-models");

    private const string Script = """
        import { readFileSync } from 'node:fs';
        import yaml from 'js-yaml';
        import * as core from 'kubernetes-models/v1';
        import * as apps from 'kubernetes-models/apps/v1';

        const groups = { 'v1': core, 'apps/v1': apps };
        let failed = 0;
        for (const doc of yaml.loadAll(readFileSync(process.argv[2], 'utf8')).filter(Boolean)) {
          const name = `${doc.kind}/${doc.metadata?.name}`;
          const Model = groups[doc.apiVersion]?.[doc.kind];
          try {
            if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
            new Model(doc).validate();
            console.log(`valid ${name}`);
          } catch (error) {
            failed++;
            console.log(`invalid ${name}: ${error.message}`);
          }
        }
        process.exit(failed > 0 ? 1 : 0);
        """;

    /// <returns>Exit code 0 when every object is valid; one line per object (<c>valid Kind/name</c> or <c>invalid Kind/name: why</c>).</returns>
    public static async Task<(int ExitCode, string Output)> ValidateAsync(string yamlFile)
    {
        await EnsureInstalledAsync();
        return await RunAsync("node", Directory, "validate.mjs", yamlFile);
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var marker = Path.Combine(Directory, "node_modules", "kubernetes-models", "package.json");
            if (!File.Exists(marker))
            {
                System.IO.Directory.CreateDirectory(Directory);
                await File.WriteAllTextAsync(Path.Combine(Directory, "package.json"), """{ "private": true, "type": "module" }""");
                var (exitCode, output) = await RunAsync(
                    "npm", Directory, "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error",
                    $"kubernetes-models@{KubernetesModelsVersion}", $"js-yaml@{JsYamlVersion}");
                Assert.True(exitCode == 0 && File.Exists(marker), $"npm install kubernetes-models failed ({exitCode}): {output}");
            }

            await File.WriteAllTextAsync(Path.Combine(Directory, "validate.mjs"), Script);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        try
        {
            var (exitCode, output, error) = await ChildProcess.RunAsync(ChildProcess.StartInfo(program, arguments, workingDirectory), TimeSpan.FromMinutes(3));
            return (exitCode, output + error);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"{program} is needed to validate the Kubernetes output offline (kubernetes-models): {exception.Message}", exception);
        }
    }
}
