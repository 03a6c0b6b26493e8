using System.Buffers.Binary;
using TaskPipeline.Data.Tasks;

namespace TaskPipeline.Producer.Generation;

/// <summary>
/// Makes tasks with a uniform type 0..9 and value 0..99, a priority drawn from Producer:PriorityWeights, and UUIDv7 ids
/// that strictly increase: the outbox is read in (created_at, id) order, and a whole batch shares created_at. Not
/// thread-safe: one generation loop owns it.
/// </summary>
internal sealed class TaskGenerator(Random random, TimeProvider timeProvider, PrioritySpread? priorities = null)
{
    private readonly PrioritySpread _priorities = priorities ?? PrioritySpread.Default;

    public const int TypeCount = 10;
    public const int ValueCount = 100;

    private Guid _lastId;

    public NewTask Next() => new(NextId(), (short)random.Next(TypeCount), (short)random.Next(ValueCount), _priorities.Next(random));

    private Guid NextId()
    {
        var id = Guid.CreateVersion7(timeProvider.GetUtcNow());
        // Within one millisecond the random bits decide the order; counting on from the last id keeps creation order
        // (RFC 9562, 6.2: monotonic random).
        if (id.CompareTo(_lastId) <= 0)
        {
            id = Successor(_lastId);
        }

        _lastId = id;
        return id;
    }

    /// <summary>The next UUIDv7 after <paramref name="id"/>: its 74 random bits counted up by one, carrying into the timestamp.</summary>
    internal static Guid Successor(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);

        const ulong RandBMask = 0x3FFF_FFFF_FFFF_FFFF;
        var randB = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]) & RandBMask;
        var randA = BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]) & 0x0FFF;
        var timestamp = ((ulong)BinaryPrimitives.ReadUInt32BigEndian(bytes) << 16) | BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        if (randB < RandBMask)
        {
            randB++;
        }
        else
        {
            randB = 0;
            if (randA < 0x0FFF)
            {
                randA++;
            }
            else
            {
                randA = 0;
                timestamp++;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(timestamp >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(bytes[4..], (ushort)timestamp);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[6..], (ushort)(0x7000 | randA));
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000 | randB);
        return new Guid(bytes, bigEndian: true);
    }
}
