using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace TaskPipeline.Deploy;

/// <summary>
/// Double-quotes the strings a YAML 1.1 reader would take for something else. YamlDotNet quotes what YAML 1.2 would
/// misread ("8080", "true"), but Kubernetes' reader still follows YAML 1.1, where <c>yes</c>, <c>on</c>, <c>n</c> are
/// booleans: an environment value "on" would become true and the manifest would be rejected.
/// </summary>
internal sealed partial class YamlQuotingEmitter(IEventEmitter next) : ChainedEventEmitter(next)
{
    public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
    {
        if (eventInfo.Source.Type == typeof(string) && eventInfo.Source.Value is string text && Yaml11Special().IsMatch(text))
        {
            eventInfo.Style = ScalarStyle.DoubleQuoted;
        }

        base.Emit(eventInfo, emitter);
    }

    [GeneratedRegex(@"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0b[01_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9]+(:[0-5]?[0-9])+)$")]
    private static partial Regex Yaml11Special();
}
