namespace TaskPipeline.Benchmarks;

/// <summary>One process's CPU time at one moment: its own, and that of the children it has reaped.</summary>
public readonly record struct ProcessCpu(int Pid, int ParentPid, TimeSpan Own, TimeSpan Reaped);
