using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace TaskPipeline.Tests.Distributed.Deploy.Containers;

/// <summary>
/// An image archive as <c>ContainerArchiveOutputPath</c> writes it (an OCI layout in a tar): its index, the image
/// manifest and configuration, and its layers unpacked into a root file system.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ImageArchive
{
    private readonly Dictionary<string, byte[]> _blobs;

    private ImageArchive(JsonNode index, Dictionary<string, byte[]> blobs)
    {
        this._blobs = blobs;
        Index = index;
        var manifestDigest = (string)index["manifests"]![0]!["digest"]!;
        Manifest = JsonNode.Parse(Blob(manifestDigest))!;
        Config = JsonNode.Parse(Blob((string)Manifest["config"]!["digest"]!))!;
    }

    public JsonNode Index { get; }

    public JsonNode Manifest { get; }

    public JsonNode Config { get; }

    /// <summary>The image's tags (org.opencontainers.image.ref.name of each index entry).</summary>
    public IEnumerable<string> Tags => Index["manifests"]!.AsArray().Select(m => (string)m!["annotations"]!["org.opencontainers.image.ref.name"]!);

    public IReadOnlyList<string> Layers => [.. Manifest["layers"]!.AsArray().Select(layer => (string)layer!["digest"]!)];

    public static ImageArchive Open(string path)
    {
        using var file = File.OpenRead(path);
        var gzipped = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using var content = gzipped ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new TarReader(content);
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        JsonNode? index = null;
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null)
            {
                continue;
            }

            using var data = new MemoryStream();
            entry.DataStream.CopyTo(data);
            if (entry.Name == "index.json")
            {
                index = JsonNode.Parse(data.ToArray());
            }
            else if (entry.Name.StartsWith("blobs/sha256/", StringComparison.Ordinal))
            {
                blobs["sha256:" + entry.Name["blobs/sha256/".Length..]] = data.ToArray();
            }
        }

        return new ImageArchive(index ?? throw new InvalidDataException($"{path} has no index.json"), blobs);
    }

    public byte[] Blob(string digest) => _blobs.TryGetValue(digest, out var blob) ? blob : throw new KeyNotFoundException($"no blob {digest}");

    /// <summary>The paths in one layer.</summary>
    public List<string> LayerEntries(string digest)
    {
        using var reader = new TarReader(new GZipStream(new MemoryStream(Blob(digest)), CompressionMode.Decompress));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name.TrimEnd('/'));
        }

        return names;
    }

    /// <summary>Unpacks the layers in order, as a container runtime does (links kept as they are: they resolve in the container).</summary>
    public void ExtractTo(string root)
    {
        Directory.CreateDirectory(root);
        foreach (var digest in Layers)
        {
            using var reader = new TarReader(new GZipStream(new MemoryStream(Blob(digest)), CompressionMode.Decompress));
            while (reader.GetNextEntry() is { } entry)
            {
                var path = Path.GetFullPath(Path.Combine(root, entry.Name.TrimStart('/')));
                if (!path.StartsWith(Path.GetFullPath(root), StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"layer entry {entry.Name} escapes the root");
                }

                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(path);
                        File.SetUnixFileMode(path, entry.Mode);
                        break;
                    case TarEntryType.SymbolicLink:
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        File.Delete(path);
                        File.CreateSymbolicLink(path, entry.LinkName);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        entry.ExtractToFile(path, overwrite: true);
                        File.SetUnixFileMode(path, entry.Mode);
                        break;
                    default:
                        throw new InvalidDataException($"layer entry {entry.Name} is a {entry.EntryType}, which this reader does not unpack");
                }
            }
        }
    }
}
