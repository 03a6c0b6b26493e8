using System.ComponentModel;

namespace TaskPipeline.Producer.Api;

/// <summary><c>GET /api/pipeline</c>: this Producer's view of the pipeline.</summary>
internal sealed record PipelineState(
    [property: Description("Tasks received or processing in the whole database, counted now.")] long Backlog,
    [property: Description("Producer:MaxBacklog: generation pauses there.")] int MaxBacklog,
    [property: Description("Whether generation is paused by the backlog limit.")] bool Paused,
    [property: Description("Producer:Rate: tasks generated per second (0 = unlimited).")] double Rate,
    [property: Description("Consumer processes holding a claim now.")] long ConsumersWorking);
