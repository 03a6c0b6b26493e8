using TaskPipeline.Tests.Support;

// Most whole-app tests wait (for start-up, for quiescence) far more than they compute: three collections at a time keep
// the suite within CI's time on two cores, the longest started first.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
[assembly: TestCollectionOrderer(LongestFirstCollectionOrderer.TypeName, LongestFirstCollectionOrderer.AssemblyName)]
