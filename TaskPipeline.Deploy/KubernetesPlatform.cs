namespace TaskPipeline.Deploy;

/// <summary>
/// Kubernetes' terms for one container: resources by their Service name, a generated secret as <c>$(VAR)</c> of a
/// variable the container takes from the secret's Secret (defined first), a literal <c>$(</c> as <c>$$(</c>.
/// </summary>
internal sealed class KubernetesPlatform : IDeploymentPlatform
{
    private readonly IReadOnlyList<KeyValuePair<string, string>> _environment;
    private readonly List<(ManifestResource Secret, string Variable)> _secrets = [];

    /// <param name="environment">The container's environment in the manifest: a variable that is exactly a secret's value carries it.</param>
    public KubernetesPlatform(IReadOnlyList<KeyValuePair<string, string>> environment) => this._environment = environment;

    /// <summary>The secrets the resolved values refer to, with the variable each is taken into.</summary>
    public IReadOnlyList<(ManifestResource Secret, string Variable)> Secrets => _secrets;

    public string Escape(string literal) => literal.Replace("$(", "$$(", StringComparison.Ordinal);

    public string Host(ManifestResource resource) => resource.Name;

    public string Secret(ManifestResource parameter)
    {
        var variable = _secrets.FirstOrDefault(secret => secret.Secret == parameter).Variable;
        if (variable is null)
        {
            var expression = $"{{{parameter.Name}.value}}";
            variable = _environment.FirstOrDefault(pair => pair.Value == expression).Key ?? Deployment.SecretVariable(parameter);
            _secrets.Add((parameter, variable));
        }

        return $"$({variable})";
    }

    /// <summary>Whether a manifest variable is the one that carries a secret (taken from the Secret, not written as a value).</summary>
    public bool Carries(string name, string value) =>
        _secrets.Any(secret => secret.Variable == name && value == $"{{{secret.Secret.Name}.value}}");
}
