namespace TaskPipeline.Producer.Generation;

/// <summary>A task as the Producer stores and sends it. Ids are UUIDv7, so id order follows creation order.</summary>
internal readonly record struct GeneratedTask(Guid Id, short Type, short Value);
