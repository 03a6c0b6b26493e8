namespace TaskPipeline.AppHost.Restarts;

/// <summary>What the AppHost does when a resource's process exits without anyone asking it to (<c>TaskPipeline:Restart:Policy</c>).</summary>
internal enum RestartPolicy
{
    /// <summary>Start it again, with backoff, up to <see cref="RestartSettings.MaxRestarts"/> within <see cref="RestartSettings.Window"/>.</summary>
    OnFailure,

    /// <summary>Leave it stopped (as Aspire does on its own): the exit is still logged with the resource's last lines.</summary>
    Never,
}
