using System.ComponentModel;

namespace TaskPipeline.Producer.Api;

/// <summary><c>GET /api/pipeline</c>: this Producer's view of the pipeline.</summary>
internal sealed record PipelineState(
    [property: Description("Tasks received or processing in the whole database, counted now.")] long Backlog,
    [property: Description("Producer:MaxBacklog: generation pauses there.")] int MaxBacklog,
    [property: Description("Whether generation is paused by the backlog limit (false once it has finished).")] bool Paused,
    [property: Description("Producer:Rate: tasks generated per second (0 = unlimited).")] double Rate,
    [property: Description("Consumer processes holding a claim now.")] long ConsumersWorking,
    [property: Description("running, paused (by the backlog limit) or finished (Producer:MaxTasks generated).")] string Generation,
    [property: Description("Tasks this Producer process has generated since it started.")] long Generated,
    [property: Description("Producer:MaxTasks; null when generation has no limit.")] long? MaxTasks)
{
    public const string Running = "running";
    public const string PausedState = "paused";
    public const string Finished = "finished";
}
