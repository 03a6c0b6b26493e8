namespace TaskPipeline.Producer;

/// <summary>How an update changed the <see cref="BacklogGate"/>'s paused state.</summary>
internal enum BacklogChange
{
    None,
    Paused,
    Resumed,
}
