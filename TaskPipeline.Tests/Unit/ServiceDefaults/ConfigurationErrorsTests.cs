using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskPipeline.ServiceDefaults.Configuration;

namespace TaskPipeline.Tests.Unit.ServiceDefaults;

public sealed class ConfigurationErrorsTests
{
    [Fact]
    public void OutOfRangeValueIsReportedWithKeyValueAndAllowedRange()
    {
        var lines = Validate(new() { ["Sample:Rate"] = "-1", ["Sample:Name"] = "x" });

        var line = Assert.Single(lines);
        Assert.Equal("error: invalid configuration: Sample:Rate = '-1': The field Rate must be between 0 and 100.", line);
    }

    [Fact]
    public void MissingRequiredValueSaysItIsNotSet()
    {
        var line = Assert.Single(Validate(new() { ["Sample:Rate"] = "5" }));

        Assert.StartsWith("error: invalid configuration: Sample:Name = (not set):", line, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretValuesAreNeverShown()
    {
        ValidatedOptionsRegistry.MarkSecret("Sample:Name");
        try
        {
            var line = Assert.Single(Validate(new() { ["Sample:Rate"] = "5", ["Sample:Name"] = "hunter2-but-too-long-for-the-limit" }));

            Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
            Assert.Contains("Sample:Name = (set, hidden)", line, StringComparison.Ordinal);
        }
        finally
        {
            ValidatedOptionsRegistry.MarkSecret("unrelated");
        }
    }

    [Fact]
    public void ValidValuesPass() => Assert.Empty(Validate(new() { ["Sample:Rate"] = "100", ["Sample:Name"] = "ok" }));

    private static List<string> Validate(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddValidatedOptions<SampleOptions>("Sample");
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException exception)
        {
            return [.. ConfigurationErrors.Describe(exception, configuration)];
        }
    }

    internal sealed class SampleOptions
    {
        [Range(0, 100)]
        public double Rate { get; set; }

        [Required]
        [StringLength(10)]
        public string? Name { get; set; }
    }
}
