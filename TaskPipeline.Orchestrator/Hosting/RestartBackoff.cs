namespace TaskPipeline.AppHost.Hosting;

/// <summary>
/// Delays between restarts of a crashing replica: 1 s, 2 s, 4 s … up to 30 s, back to 1 s once a run stayed healthy
/// for a minute (a crash after a long healthy run is not a crash loop).
/// </summary>
internal sealed class RestartBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(60);

    private TimeSpan next = Initial;

    /// <summary>The delay before the next start, given how long the run that just ended was healthy.</summary>
    public TimeSpan Next(TimeSpan healthyFor)
    {
        if (healthyFor >= ResetAfter)
        {
            next = Initial;
        }

        var delay = next;
        next = next * 2 > Maximum ? Maximum : next * 2;
        return delay;
    }
}
