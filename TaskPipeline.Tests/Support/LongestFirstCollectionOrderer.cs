using Xunit.Abstractions;
using Xunit.Sdk;

namespace TaskPipeline.Tests.Support;

/// <summary>
/// Runs the collections with the longest <see cref="ExpectedDurationAttribute"/> first (xunit's own order is by id, so
/// an eight-minute collection could start last and run alone); the others keep xunit's order.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    public const string TypeName = "TaskPipeline.Tests.Support.LongestFirstCollectionOrderer";

    public const string AssemblyName = "TaskPipeline.Tests";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .Select((collection, index) => (collection, index))
            .OrderByDescending(entry => ExpectedSeconds(entry.collection))
            .ThenBy(entry => entry.index)
            .Select(entry => entry.collection);

    private static int ExpectedSeconds(ITestCollection collection) =>
        collection.CollectionDefinition?.GetCustomAttributes(typeof(ExpectedDurationAttribute)).FirstOrDefault()
            ?.GetConstructorArguments().OfType<int>().FirstOrDefault()
        ?? 0;
}
