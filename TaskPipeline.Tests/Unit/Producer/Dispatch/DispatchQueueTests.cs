extern alias producer;

using producer::TaskPipeline.Producer.Dispatch;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Tests.Unit.Producer.Dispatch;

public sealed class DispatchQueueTests
{
    [Fact]
    public async Task HigherPrioritiesAreReadFirstAndEachPriorityInOrderOfArrival()
    {
        using var queue = new DispatchQueue();
        var low = Task(0);
        var normal1 = Task(5);
        var urgent = Task(9);
        var normal2 = Task(5);
        foreach (var task in new[] { low, normal1, urgent, normal2 })
        {
            await queue.WriteAsync(new TaskBatch(new[] { task }), CancellationToken.None);
        }

        Assert.Equal([urgent, normal1, normal2, low], await ReadAllAsync(queue, 4, maxTasks: 1));
    }

    [Fact]
    public async Task UnderABacklogOfHigherPrioritiesTheOldestTaskStillGetsATenthOfWhatIsRead()
    {
        using var queue = new DispatchQueue();
        var lowest = Enumerable.Range(0, 100).Select(_ => Task(0)).ToList();
        foreach (var task in lowest)
        {
            await queue.WriteAsync(new TaskBatch(new[] { task }), CancellationToken.None);
        }

        for (var i = 0; i < 2000; i++)
        {
            await queue.WriteAsync(new TaskBatch(new[] { Task(9) }), CancellationToken.None);
        }

        var read = await ReadAllAsync(queue, 1000, maxTasks: 1);

        // The bound: of every ten tasks read while the lowest priority waits, one is its oldest.
        var lowestRead = read.Where(task => task.Priority == 0).ToList();
        Assert.Equal(100, lowestRead.Count);
        Assert.Equal(lowest, lowestRead);
        for (var tens = 1; tens <= 100; tens++)
        {
            Assert.Equal(tens, read.Take(tens * 10).Count(task => task.Priority == 0));
        }
    }

    [Fact]
    public async Task TheShareCountsTasksNotBatches()
    {
        using var queue = new DispatchQueue();
        await queue.WriteAsync(new TaskBatch(Enumerable.Range(0, 50).Select(_ => Task(0)).ToArray()), CancellationToken.None);
        await queue.WriteAsync(new TaskBatch(Enumerable.Range(0, 50).Select(_ => Task(0)).ToArray()), CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await queue.WriteAsync(new TaskBatch(Enumerable.Range(0, 10).Select(_ => Task(9)).ToArray()), CancellationToken.None);
        }

        // A first batch of 50 low tasks goes once 10 urgent ones went; the next 50 only once 9 × 51 urgent ones did.
        var read = await ReadAllAsync(queue, 48, maxTasks: 10);
        Assert.Equal(Enumerable.Repeat(9, 10).Concat(Enumerable.Repeat(0, 50)).Concat(Enumerable.Repeat(9, 450)).Concat(Enumerable.Repeat(0, 50)),
            read.Select(task => (int)task.Priority));
    }

    [Fact]
    public async Task WhatIsRequeuedDoesNotCountAsTaken()
    {
        using var queue = new DispatchQueue();
        await queue.WriteAsync(new TaskBatch(new[] { Task(0) }), CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            await queue.WriteAsync(new TaskBatch(new[] { Task(9) }), CancellationToken.None);
        }

        // Nine urgent tasks are read and given back (deferred): none was taken, so the low one still waits its share.
        for (var i = 0; i < 9; i++)
        {
            var deferred = await queue.ReadAsync(1, CancellationToken.None);
            Assert.Equal(9, deferred!.Priority);
            queue.Requeue(deferred, 0);
        }

        var read = await ReadAllAsync(queue, 10, maxTasks: 1);
        Assert.Equal(Enumerable.Repeat(9, 9).Append(0), read.Select(task => (int)task.Priority));
    }

    [Fact]
    public async Task ARequeuedBatchGoesBackToTheFrontOfItsPriorityKeepingItsAge()
    {
        using var queue = new DispatchQueue();
        var first = Task(5);
        var second = Task(5);
        await queue.WriteAsync(new TaskBatch(new[] { first }), CancellationToken.None);
        await queue.WriteAsync(new TaskBatch(new[] { second }), CancellationToken.None);

        var read = await queue.ReadAsync(1, CancellationToken.None);
        queue.Requeue(read!, 0);

        Assert.Equal(2, queue.Count);
        Assert.Equal([first, second], await ReadAllAsync(queue, 2, maxTasks: 1));
    }

    [Fact]
    public async Task ARequeuedTailIsAsOldAsItsFirstTaskNotAsTheBatchItWasJoinedInto()
    {
        using var queue = new DispatchQueue();
        var old = Task(9);
        await queue.WriteAsync(new TaskBatch(new[] { old }), CancellationToken.None);
        var low = Task(0);
        await queue.WriteAsync(new TaskBatch(new[] { low }), CancellationToken.None);
        var newer = Enumerable.Range(0, 19).Select(_ => Task(9)).ToArray();
        foreach (var task in newer)
        {
            await queue.WriteAsync(new TaskBatch(new[] { task }), CancellationToken.None);
        }

        // The urgent line is read joined (the old task and nine newer ones); the Consumer takes only the old one.
        var joined = await queue.ReadAsync(10, CancellationToken.None);
        Assert.Equal(10, joined!.Count);
        queue.Requeue(joined, 1);

        // The low task is now the oldest waiting: it goes once nine urgent tasks went (ten: a read joins the next), not after every urgent one.
        var read = await ReadAllAsync(queue, 2, maxTasks: 10);
        Assert.Equal(10, read.Take(10).Count(task => task.Priority == 9));
        Assert.Equal(low, read[10]);
    }

    [Fact]
    public async Task ABatchOfMixedPrioritiesIsSplitAndReadsJoinOnlyOnePriority()
    {
        using var queue = new DispatchQueue();
        var tasks = new[] { Task(9), Task(0), Task(9), Task(5) };
        await queue.WriteAsync(new TaskBatch(tasks), CancellationToken.None);

        var urgent = await queue.ReadAsync(10, CancellationToken.None);
        Assert.Equal([tasks[0], tasks[2]], urgent!.Tasks.ToArray());
        Assert.Equal(5, (await queue.ReadAsync(10, CancellationToken.None))!.Priority);
        Assert.Equal(0, (await queue.ReadAsync(10, CancellationToken.None))!.Priority);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task ReadingACompleteEmptyQueueEndsAndAWaitingReaderWakesForAWrite()
    {
        using var queue = new DispatchQueue();
        queue.RegisterWriter();
        var waiting = queue.ReadAsync(10, CancellationToken.None).AsTask();
        await System.Threading.Tasks.Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        var task = Task(5);
        await queue.WriteAsync(new TaskBatch(new[] { task }), CancellationToken.None);
        Assert.Equal([task], (await waiting.WaitAsync(TimeSpan.FromSeconds(10)))!.Tasks.ToArray());

        var last = queue.ReadAsync(10, CancellationToken.None).AsTask();
        queue.CompleteWriter();
        Assert.Null(await last.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static NewTask Task(byte priority) => new(Guid.CreateVersion7(), 1, 1, priority);

    private static async Task<List<NewTask>> ReadAllAsync(DispatchQueue queue, int reads, int maxTasks)
    {
        var tasks = new List<NewTask>();
        for (var i = 0; i < reads; i++)
        {
            tasks.AddRange((await queue.ReadAsync(maxTasks, CancellationToken.None))!.Tasks.ToArray());
        }

        return tasks;
    }
}
