using System.Security.Cryptography;

namespace TaskPipeline.Deploy;

/// <summary>
/// A generated secret of a Compose or Kubernetes deployment (the PostgreSQL password): letters and digits only, so it
/// needs no quoting in a connection string, a YAML file or an .env file, and URI-encoding leaves it unchanged; 32 of
/// them, or the manifest's <c>generate.minLength</c> if that is more.
/// </summary>
internal static class GeneratedPassword
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string Create(int minLength) => RandomNumberGenerator.GetString(Alphabet, Math.Max(32, minLength));
}
