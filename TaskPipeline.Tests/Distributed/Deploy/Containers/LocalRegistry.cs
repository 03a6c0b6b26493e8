using System.Net;

namespace TaskPipeline.Tests.Distributed.Deploy.Containers;

/// <summary>
/// A read-only OCI distribution registry on loopback, enough for a client to pull: <c>GET /v2/</c>, manifests by tag or
/// digest, blobs by digest (GET and HEAD). Plain HTTP: clients are told it is insecure (DOTNET_CONTAINER_INSECURE_REGISTRIES).
/// </summary>
internal sealed class LocalRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, OciImage> _images;
    private readonly Task _serving;

    /// <param name="images">"repository:tag" → image.</param>
    public LocalRegistry(int port, IReadOnlyDictionary<string, OciImage> images)
    {
        this._images = new Dictionary<string, OciImage>(images, StringComparer.Ordinal);
        Host = $"localhost:{port}";
        _listener.Prefixes.Add($"http://{Host}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>host:port, the registry part of an image reference.</summary>
    public string Host { get; }

    /// <summary>What was asked for, in order ("GET /v2/…"): the test can tell the base image really came from here.</summary>
    public List<string> Requests { get; } = [];

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with an exception when the listener closes.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        lock (Requests)
        {
            Requests.Add($"{request.HttpMethod} {path}");
        }

        try
        {
            if (path is "/v2/" or "/v2")
            {
                response.StatusCode = 200;
                return;
            }

            if (request.HttpMethod is not ("GET" or "HEAD") || !path.StartsWith("/v2/", StringComparison.Ordinal))
            {
                response.StatusCode = 405;
                return;
            }

            var manifests = path.LastIndexOf("/manifests/", StringComparison.Ordinal);
            var blobs = path.LastIndexOf("/blobs/", StringComparison.Ordinal);
            if (manifests > 0)
            {
                var repository = path[4..manifests];
                var reference = path[(manifests + "/manifests/".Length)..];
                var image = _images.FirstOrDefault(entry =>
                    entry.Key == $"{repository}:{reference}" || (entry.Key.StartsWith(repository + ":", StringComparison.Ordinal) && entry.Value.ManifestDigest == reference)).Value;
                if (image is null)
                {
                    response.StatusCode = 404;
                    return;
                }

                response.Headers["Docker-Content-Digest"] = image.ManifestDigest;
                await SendAsync(request, response, image.ManifestMediaType, image.Manifest.Length, () => new MemoryStream(image.Manifest));
            }
            else if (blobs > 0)
            {
                var digest = path[(blobs + "/blobs/".Length)..];
                var file = _images.Values.Select(image => image.BlobFiles.GetValueOrDefault(digest)).FirstOrDefault(f => f is not null);
                if (file is null)
                {
                    response.StatusCode = 404;
                    return;
                }

                response.Headers["Docker-Content-Digest"] = digest;
                await SendAsync(request, response, "application/octet-stream", new FileInfo(file).Length, () => File.OpenRead(file));
            }
            else
            {
                response.StatusCode = 404;
            }
        }
        finally
        {
            response.Close();
        }
    }

    private static async Task SendAsync(HttpListenerRequest request, HttpListenerResponse response, string mediaType, long length, Func<Stream> open)
    {
        response.StatusCode = 200;
        response.ContentType = mediaType;
        response.ContentLength64 = length;
        if (request.HttpMethod == "HEAD")
        {
            return;
        }

        await using var content = open();
        await content.CopyToAsync(response.OutputStream);
    }
}
