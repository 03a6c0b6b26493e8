namespace TaskPipeline.Consumer.Submit;

/// <summary>The result of <see cref="SubmitRequestValidator.Validate"/>: the ids of a valid batch, or why it is invalid.</summary>
internal sealed class SubmitValidation
{
    private SubmitValidation(Guid[] ids, IReadOnlyDictionary<Guid, int> positions, IReadOnlyList<FieldViolation> violations)
    {
        Ids = ids;
        Positions = positions;
        Violations = violations;
    }

    /// <summary>The task ids in request order; empty when invalid.</summary>
    public Guid[] Ids { get; }

    /// <summary>Each id's index in <see cref="Ids"/> (the duplicate check builds it anyway); empty when invalid.</summary>
    public IReadOnlyDictionary<Guid, int> Positions { get; }

    public IReadOnlyList<FieldViolation> Violations { get; }

    public bool IsValid => Violations.Count == 0;

    public static SubmitValidation Valid(Guid[] ids, IReadOnlyDictionary<Guid, int> positions) => new(ids, positions, []);

    public static SubmitValidation Invalid(IReadOnlyList<FieldViolation> violations) =>
        new([], new Dictionary<Guid, int>(), violations);
}
