using System.ComponentModel.DataAnnotations;

namespace TaskPipeline.Producer.Notifications;

/// <summary>
/// <c>Notifications</c>: what one principal may hold open on <c>GET /api/notifications</c>. A stream is a connection and
/// a buffer of up to <see cref="TaskEventSubscription.Capacity"/> events for as long as it lasts, and a replay reads the
/// table: both are bounded here so that no client can make the Producer hold or read without end.
/// </summary>
internal sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Open streams per principal (per address without one); beyond it: 429 with Retry-After.</summary>
    [Range(1, 1000, ErrorMessage = "must be from 1 to 1000 streams")]
    public int MaxStreamsPerPrincipal { get; set; } = 4;

    /// <summary>
    /// How many event numbers back from the newest a <c>Last-Event-ID</c> may reach; an older one gets a <c>skipped</c>
    /// event and the replay starts this far back.
    /// </summary>
    [Range(1, 10_000_000, ErrorMessage = "must be from 1 to 10000000 events")]
    public int MaxReplay { get; set; } = 10_000;
}
