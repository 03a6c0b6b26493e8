namespace TaskPipeline.AppHost.Services;

/// <summary>
/// Links to each replica's own management pages (<c>/metrics</c>, <c>/health</c>) in the dashboard. URL annotations
/// are the resource's, shared by every replica and resolved to the proxy, which answers from whichever replica it
/// picks; so each running replica's snapshot gets its own links, published again whenever DCP rebuilds its URLs.
/// </summary>
internal sealed class ReplicaUrls(ProjectResource service, string endpointName, IReadOnlyList<string> paths)
{
    public async Task KeepPublishedAsync(ResourceNotificationService notifications, CancellationToken stopping)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (update.Resource != service
                    || update.Snapshot.State?.Text != KnownResourceStates.Running
                    || !ReplicaEndpoint.TryGetUrl(update.Snapshot, endpointName, out var endpoint))
                {
                    continue;
                }

                var urls = paths
                    .Select((path, order) => new UrlSnapshot(endpointName, new Uri(endpoint, path).ToString(), IsInternal: false)
                    {
                        DisplayProperties = new UrlDisplayPropertiesSnapshot(path.TrimStart('/'), order),
                    })
                    .ToList();
                if (urls.TrueForAll(url => update.Snapshot.Urls.Any(published => published.Url == url.Url)))
                {
                    continue;
                }

                await notifications.PublishUpdateAsync(service, update.ResourceId, snapshot => snapshot with
                {
                    Urls = [.. snapshot.Urls.Where(published => published.Name != endpointName), .. urls],
                });
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
