using System.ComponentModel;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Api;

/// <summary>One page of <c>GET /api/tasks</c>, newest first.</summary>
internal sealed record TaskPage(
    IReadOnlyList<TaskRecord> Items,
    [property: Description("Pass as `after` to get the next page; null on the last page.")]
    Guid? Next);
