namespace TaskPipeline.Benchmarks;

/// <summary>task_state as the seeder writes it in binary COPY (mapped by name: Npgsql's snake_case of each member).</summary>
internal enum SeededState
{
    Received,
    Processing,
    Done,
    Failed,
    Canceled,
}
