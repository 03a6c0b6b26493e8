namespace TaskPipeline.Tests.Distributed.Faults;

/// <param name="States">Tasks per state after quiescence.</param>
/// <param name="CountedByRunningProcesses">Done counters summed over the Consumer processes running at the end.</param>
/// <param name="Duplicates">Duplicate deliveries the running Consumer processes recorded.</param>
/// <param name="Retried">Tasks that needed more than one attempt.</param>
internal sealed record AuditResult(Dictionary<string, long> States, long CountedByRunningProcesses, long Duplicates, long Retried)
{
    public long Done => States.GetValueOrDefault("done");

    public override string ToString() =>
        $"{string.Join(", ", States.Select(s => $"{s.Key}={s.Value}"))}; counted by running consumers {CountedByRunningProcesses}, duplicates {Duplicates}, retried {Retried}";
}
