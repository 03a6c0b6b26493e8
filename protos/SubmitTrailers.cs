namespace TaskPipeline.Contracts;

/// <summary>
/// The trailers of TaskProcessor.Submit that the contract adds to gRPC's own. Compiled into the Producer and the
/// Consumer beside the .proto, so both read and write the same names.
/// </summary>
internal static class SubmitTrailers
{
    /// <summary>
    /// Milliseconds the caller should wait before sending again (RESOURCE_EXHAUSTED). gRPC's own retry policy reads
    /// the same trailer (A6: client retries).
    /// </summary>
    public const string RetryPushback = "grpc-retry-pushback-ms";

    /// <summary>One per invalid field of an INVALID_ARGUMENT: "tasks[3].value".</summary>
    public const string Field = "field";
}
