using System.CommandLine;
using System.CommandLine.Parsing;

namespace TaskPipeline.AppHost.Cli;

/// <summary><c>--set &lt;resource&gt;:&lt;Key&gt;=&lt;value&gt;</c>, repeatable: configuration for one service, e.g. producer:Producer:Rate=100.</summary>
internal static class SettingOption
{
    public static Option<string[]> Create(IReadOnlyCollection<string> resources)
    {
        var option = new Option<string[]>("--set")
        {
            Description = "Configuration for a service, as <resource>:<Key>=<value> (e.g. producer:Producer:Rate=100); repeatable",
            HelpName = "resource:Key=value",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!TryParse(token.Value, out var resource, out _, out _))
                {
                    result.AddError($"--set {token.Value}: expected <resource>:<Key>=<value>, e.g. producer:Producer:Rate=100");
                }
                else if (!resources.Contains(resource))
                {
                    result.AddError($"--set {token.Value}: unknown resource '{resource}' (known: {string.Join(", ", resources)})");
                }
            }
        });
        return option;
    }

    public static bool TryParse(string text, out string resource, out string key, out string value)
    {
        resource = key = value = string.Empty;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (colon <= 0 || equals <= colon + 1)
        {
            return false;
        }

        resource = text[..colon];
        key = text[(colon + 1)..equals];
        value = text[(equals + 1)..];
        return true;
    }
}
