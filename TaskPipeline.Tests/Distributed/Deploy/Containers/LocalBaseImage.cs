using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace TaskPipeline.Tests.Distributed.Deploy.Containers;

/// <summary>
/// A stand-in for <c>mcr.microsoft.com/dotnet/aspnet:10.0</c> where that registry cannot be reached (machines whose
/// network reaches only package feeds): one layer with this machine's own .NET and ASP.NET Core shared runtimes (the bits
/// the official image ships), the C/C++ and OpenSSL libraries they load, CA certificates and the official image's
/// non-root user <c>app</c> (1654); its configuration is the official image's (APP_UID, ASPNETCORE_HTTP_PORTS=8080,
/// DOTNET_RUNNING_IN_CONTAINER). What the SDK adds on top (the app layer, entrypoint, user, ports, environment) is
/// exactly what it adds to the official image.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class LocalBaseImage
{
    public const string AppUid = "1654";

    private const string DotNetRoot = "/usr/share/dotnet";
    private const string LibraryDirectory = "/lib/x86_64-linux-gnu";

    /// <summary>What the runtime links (ldd of dotnet, libhostfxr and the runtime's native libraries) or loads (OpenSSL).</summary>
    private static readonly string[] Libraries =
    [
        "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libstdc++.so.6", "libgcc_s.so.1",
        "libssl.so.3", "libcrypto.so.3", "libz.so.1",
    ];

    /// <summary>The .NET version of the shared runtime the image carries: the one running these tests.</summary>
    public static string RuntimeVersion => Environment.Version.ToString(3);

    /// <summary>Writes the layer and config under <paramref name="directory"/> and returns the image.</summary>
    public static OciImage Build(string directory)
    {
        Directory.CreateDirectory(directory);
        var version = RuntimeVersion;
        var netCore = Path.Combine(DotNetRoot, "shared", "Microsoft.NETCore.App", version);
        var aspNetCore = Path.Combine(DotNetRoot, "shared", "Microsoft.AspNetCore.App", version);
        var hostFxr = Path.Combine(DotNetRoot, "host", "fxr", version);
        foreach (var required in new[] { netCore, aspNetCore, hostFxr })
        {
            if (!Directory.Exists(required))
            {
                throw new InvalidOperationException($"{required} does not exist: the base image copies the runtime that runs the tests");
            }
        }

        var layerPath = Path.Combine(directory, "layer.tar.gz");
        string diffId;
        using (var tar = new MemoryStream())
        {
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                var layer = new LayerWriter(writer);
                layer.Directory("etc");
                layer.Text("etc/passwd", $"root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:{AppUid}:{AppUid}::/home/app:/usr/sbin/nologin\n");
                layer.Text("etc/group", $"root:x:0:\napp:x:{AppUid}:\n");
                if (File.Exists("/etc/ssl/certs/ca-certificates.crt"))
                {
                    layer.Directory("etc/ssl");
                    layer.Directory("etc/ssl/certs");
                    layer.File("etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/ca-certificates.crt");
                }

                // Mount points a container runtime fills.
                layer.Directory("dev");
                layer.Directory("proc");
                layer.Directory("sys");
                layer.Directory("home");
                layer.Directory("home/app", uid: int.Parse(AppUid, System.Globalization.CultureInfo.InvariantCulture));
                layer.Directory("root", mode: UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                layer.Directory("tmp", mode: (UnixFileMode)0b1_111_111_111);
                layer.Directory("lib");
                layer.Directory("lib/x86_64-linux-gnu");
                foreach (var library in Libraries)
                {
                    var source = Path.Combine(LibraryDirectory, library);
                    if (File.Exists(source))
                    {
                        layer.File($"lib/x86_64-linux-gnu/{library}", source);
                    }
                }

                layer.Directory("lib64");
                layer.File("lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2");
                layer.Directory("usr");
                layer.Directory("usr/bin");
                layer.Directory("usr/share");
                layer.Tree("usr/share/dotnet", DotNetRoot, path =>
                    path == "dotnet" || path.StartsWith("LICENSE", StringComparison.Ordinal) || path.StartsWith("ThirdPartyNotices", StringComparison.Ordinal)
                    || IsUnder(path, $"host/fxr/{version}") || IsUnder(path, $"shared/Microsoft.NETCore.App/{version}")
                    || IsUnder(path, $"shared/Microsoft.AspNetCore.App/{version}"));
                layer.SymbolicLink("usr/bin/dotnet", "/usr/share/dotnet/dotnet");
            }

            tar.Position = 0;
            diffId = OciDigest.Of(tar);
            tar.Position = 0;
            using var file = File.Create(layerPath);
            using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            tar.CopyTo(gzip);
        }

        string layerDigest;
        using (var layerFile = File.OpenRead(layerPath))
        {
            layerDigest = OciDigest.Of(layerFile);
        }

        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray(
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    $"APP_UID={AppUid}",
                    "ASPNETCORE_HTTP_PORTS=8080",
                    "DOTNET_RUNNING_IN_CONTAINER=true",
                    $"DOTNET_VERSION={version}",
                    $"ASPNET_VERSION={version}"),
                ["WorkingDir"] = "/",
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            ["history"] = new JsonArray(new JsonObject
            {
                ["created_by"] = $"TaskPipeline.Tests: {DotNetRoot} runtime {version} and its libraries from this machine",
            }),
        };
        var configBytes = System.Text.Encoding.UTF8.GetBytes(config.ToJsonString());
        var configDigest = OciDigest.Of(configBytes);
        var configPath = Path.Combine(directory, "config.json");
        File.WriteAllBytes(configPath, configBytes);

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciMediaTypes.Manifest,
            ["config"] = new JsonObject { ["mediaType"] = OciMediaTypes.Config, ["digest"] = configDigest, ["size"] = configBytes.Length },
            ["layers"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = OciMediaTypes.GzipLayer,
                ["digest"] = layerDigest,
                ["size"] = new FileInfo(layerPath).Length,
            }),
        };
        return new OciImage(OciMediaTypes.Manifest, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()), new Dictionary<string, string>
        {
            [configDigest] = configPath,
            [layerDigest] = layerPath,
        });
    }

    private static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal)
        || directory.StartsWith(path + "/", StringComparison.Ordinal);

    /// <summary>Entries owned by root (unless told), with the modes of the files they copy.</summary>
    private sealed class LayerWriter(TarWriter writer)
    {
        private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

        public void Directory(string path, UnixFileMode mode = DirectoryMode, int uid = 0) =>
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, path + "/") { Mode = mode, Uid = uid, Gid = uid });

        public void File(string path, string source)
        {
            var real = new FileInfo(source).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? source;
            using var content = System.IO.File.OpenRead(real);
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path)
            {
                Mode = System.IO.File.GetUnixFileMode(real),
                DataStream = content,
            });
        }

        public void Text(string path, string content)
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path)
            {
                Mode = (UnixFileMode)0b110_100_100,
                DataStream = stream,
            });
        }

        public void SymbolicLink(string path, string target) =>
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, path) { LinkName = target, Mode = (UnixFileMode)0b111_111_111 });

        /// <summary>The directories and files under <paramref name="source"/> whose relative path <paramref name="include"/> accepts.</summary>
        public void Tree(string path, string source, Func<string, bool> include)
        {
            Directory(path);
            foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos("*", SearchOption.TopDirectoryOnly).OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(DotNetRoot, entry.FullName).Replace('\\', '/');
                if (!include(relative))
                {
                    continue;
                }

                if (entry is DirectoryInfo)
                {
                    Tree($"{path}/{entry.Name}", entry.FullName, include);
                }
                else
                {
                    File($"{path}/{entry.Name}", entry.FullName);
                }
            }
        }
    }
}
