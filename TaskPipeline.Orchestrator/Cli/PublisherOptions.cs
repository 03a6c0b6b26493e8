using System.CommandLine;
using TaskPipeline.AppHost.Publishing;

namespace TaskPipeline.AppHost.Cli;

/// <summary>
/// <c>--publisher &lt;kind&gt; --output-path &lt;path&gt;</c> on the root command, where azd passes them
/// (<c>dotnet run --project &lt;AppHost.csproj&gt; --publisher manifest --output-path &lt;dir&gt;/apphost-manifest.json</c>):
/// the pipeline options still shape what is described (replicas, settings), nothing is started.
/// </summary>
internal sealed class PublisherOptions
{
    public Option<string?> Publisher { get; } = new("--publisher")
    {
        Description = "Write deployment files instead of running: manifest (Aspire manifest for azd); Compose and Kubernetes: TaskPipeline.Deploy",
        HelpName = string.Join('|', Publishing.Publisher.Names.Keys),
    };

    public Option<string?> OutputPath { get; } = new("--output-path")
    {
        Description = $"Where to write: a file, or a directory for {ManifestPublisher.DefaultFileName} [default: .]",
        HelpName = "path",
    };

    public Option<string?> ImageRegistry { get; } = new("--image-registry")
    {
        Description = "Registry prefix of the service images (e.g. myregistry.azurecr.io) [default: local images]",
        HelpName = "registry",
    };

    public Option<string> ImageTag { get; } = new("--image-tag")
    {
        Description = "Tag of the service images",
        DefaultValueFactory = _ => "latest",
        HelpName = "tag",
    };

    public IEnumerable<Option> All => [Publisher, OutputPath, ImageRegistry, ImageTag];

    public PublisherOptions()
    {
        Publisher.AcceptOnlyFromAmong([.. Publishing.Publisher.Names.Keys]);
        ImageTag.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError($"{ImageTag.Name} must not be empty");
            }
        });
    }
}
