namespace TaskPipeline.Data.Tasks;

/// <summary>
/// A task to store as <c>received</c>. Ids are UUIDv7, so id order follows creation order. Priority 0 (lowest) to 9,
/// <see cref="TaskLimits.DefaultPriority"/> unless given.
/// </summary>
public readonly record struct NewTask(Guid Id, short Type, short Value, byte Priority = TaskLimits.DefaultPriority);
