namespace TaskPipeline.Consumer.Submit;

/// <summary>One invalid field of a request, e.g. <c>tasks[3].value</c> "must be from 0 to 99 (got 120)".</summary>
internal readonly record struct FieldViolation(string Field, string Description);
