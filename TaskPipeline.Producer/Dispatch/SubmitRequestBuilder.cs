using Google.Protobuf;
using TaskPipeline.Contracts;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Dispatch;

/// <summary>
/// Builds Submit requests without allocating per task: one per dispatch loop, reused for every call it makes. Each
/// <see cref="TaskItem"/> and its id's <see cref="ByteString"/> are made once, the id wrapping its own 16 bytes of one
/// buffer that later batches overwrite. Safe because a loop has one call in flight and gRPC is done with the message
/// (serialized, retries included) when the call returns; not thread-safe.
/// </summary>
internal sealed class SubmitRequestBuilder
{
    private const int IdLength = 16;

    private readonly SubmitRequest _request = new();
    private byte[] _ids = [];
    private TaskItem[] _items = [];

    /// <summary>The request for <paramref name="tasks"/>; valid until the next call.</summary>
    public SubmitRequest Build(ReadOnlySpan<NewTask> tasks)
    {
        EnsureCapacity(tasks.Length);
        var items = _request.Tasks;
        items.Clear();
        for (var i = 0; i < tasks.Length; i++)
        {
            var task = tasks[i];
            task.Id.TryWriteBytes(_ids.AsSpan(i * IdLength, IdLength), bigEndian: true, out _);
            var item = _items[i];
            item.Type = task.Type;
            item.Value = task.Value;
            items.Add(item);
        }

        return _request;
    }

    private void EnsureCapacity(int count)
    {
        if (count <= _items.Length)
        {
            return;
        }

        _ids = new byte[count * IdLength];
        _items = new TaskItem[count];
        for (var i = 0; i < count; i++)
        {
            _items[i] = new TaskItem { Id = UnsafeByteOperations.UnsafeWrap(_ids.AsMemory(i * IdLength, IdLength)) };
        }
    }
}
