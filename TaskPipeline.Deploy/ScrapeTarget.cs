using System.Globalization;

namespace TaskPipeline.Deploy;

/// <summary>One Prometheus scrape target: a replica's management endpoint.</summary>
internal sealed record ScrapeTarget(string Service, int Replica, Uri ManagementEndpoint)
{
    public string Instance => $"{Service}-{Replica.ToString(CultureInfo.InvariantCulture)}";
}
