using System.Security.Cryptography;

namespace TaskPipeline.AppHost.Publishing;

/// <summary>
/// The PostgreSQL password of a Compose or Kubernetes deployment: letters and digits only, so it needs no quoting in a
/// connection string, a YAML file or an .env file; 32 of them (Aspire asks for at least 22).
/// </summary>
internal static class GeneratedPassword
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string Create() => RandomNumberGenerator.GetString(Alphabet, 32);
}
