namespace TaskPipeline.Consumer.Processing;

/// <summary>The result of <see cref="SubmitRequestValidator.Validate"/>: the ids of a valid batch, or why it is invalid.</summary>
internal sealed class SubmitValidation
{
    private SubmitValidation(Guid[] ids, IReadOnlyList<FieldViolation> violations)
    {
        Ids = ids;
        Violations = violations;
    }

    /// <summary>The task ids in request order; empty when invalid.</summary>
    public Guid[] Ids { get; }

    public IReadOnlyList<FieldViolation> Violations { get; }

    public bool IsValid => Violations.Count == 0;

    public static SubmitValidation Valid(Guid[] ids) => new(ids, []);

    public static SubmitValidation Invalid(IReadOnlyList<FieldViolation> violations) => new([], violations);
}
