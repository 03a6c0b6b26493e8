using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TaskPipeline.Data;

namespace TaskPipeline.Producer.Api;

/// <summary>
/// The <c>Idempotency-Key</c> header of a create (the IETF draft's name and meaning): one value of 1 to
/// <see cref="MaxLength"/> visible ASCII characters. A repeat is recognised by the hash of the parsed body, so the same
/// fields in another order or spacing are the same request.
/// </summary>
internal static class IdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";

    public const int MaxLength = 255;

    /// <summary>The key, null when the header is absent, or null with the reason in <paramref name="errors"/>.</summary>
    public static string? Read(string[]? values, Dictionary<string, string[]> errors)
    {
        if (values is null or [])
        {
            return null;
        }

        if (values.Length != 1 || values[0] is not { Length: > 0 and <= MaxLength } key || !key.All(c => c is >= '!' and <= '~'))
        {
            errors[HeaderName] = [$"must be one value of 1 to {MaxLength} visible ASCII characters (no spaces), e.g. a UUID"];
            return null;
        }

        return key;
    }

    /// <summary>
    /// SHA-256 of what the body asks for, not how it is spelled: the fields as numbers, a due time as its instant
    /// (any offset) and a delay as its length (seconds or a duration); what does not parse, as written.
    /// </summary>
    public static byte[] Hash(CreateTaskRequest body)
    {
        var runAt = body.RunAt is null ? string.Empty
            : DueTimeRequest.TryParseRunAt(body.RunAt, out var at) ? at.UtcTicks.ToString(CultureInfo.InvariantCulture) : "?" + body.RunAt;
        var delay = body.Delay is not { ValueKind: not JsonValueKind.Null } element ? string.Empty
            : DueTimeRequest.TryParseDelay(element, out var length, out _) ? length.Ticks.ToString(CultureInfo.InvariantCulture) : "?" + element.GetRawText();
        var canonical = string.Join('|', body.Type, body.Value, body.Priority ?? TaskLimits.DefaultPriority, runAt, delay);
        return SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
    }
}
