namespace TaskPipeline.Tests.Distributed.Deploy.Containers;

/// <summary>An image as a registry serves it: its manifest and the blobs (config, layers) it names, by digest.</summary>
internal sealed record OciImage(string ManifestMediaType, byte[] Manifest, IReadOnlyDictionary<string, string> BlobFiles)
{
    public string ManifestDigest => OciDigest.Of(Manifest);
}
