using System.Security.Cryptography;

namespace TaskPipeline.Tests.Distributed.Deploy.Containers;

internal static class OciDigest
{
    public static string Of(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public static string Of(Stream content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
