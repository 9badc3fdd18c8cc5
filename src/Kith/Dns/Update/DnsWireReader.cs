using System.Buffers.Binary;
using System.Text;

namespace Kith.Dns.Update;

/// <summary>
/// Walks an RFC 1035 message far enough to find and read the TSIG record, which ARSoft keeps internal.
/// Every read is bounds-checked and throws <see cref="FormatException"/> on a malformed message.
/// </summary>
internal ref struct DnsWireReader(ReadOnlySpan<byte> message)
{
    /// <summary>Longest chain of compression pointers followed before the name is called a loop.</summary>
    private const int MaxPointerHops = 64;

    private readonly ReadOnlySpan<byte> _message = message;

    public int Position { get; set; }

    public ushort ReadUInt16()
    {
        var value = BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        return value;
    }

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>A 48-bit unsigned number (TSIG's Time Signed).</summary>
    public long ReadUInt48()
    {
        var bytes = Take(6);
        return ((long)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || Position + count > _message.Length)
        {
            throw new FormatException("message ends inside a field");
        }

        var slice = _message.Slice(Position, count);
        Position += count;
        return slice;
    }

    /// <summary>Reads a possibly compressed name, returned lower-case without the trailing dot.</summary>
    public string ReadName()
    {
        var text = new StringBuilder();
        var at = Position;
        var resumeAt = -1;
        for (var hops = 0; ;)
        {
            if (at >= _message.Length)
            {
                throw new FormatException("message ends inside a name");
            }

            var length = _message[at];
            if (length == 0)
            {
                Position = resumeAt >= 0 ? resumeAt : at + 1;
                return text.ToString().ToLowerInvariant();
            }

            if ((length & 0xC0) == 0xC0)
            {
                if (at + 1 >= _message.Length || ++hops > MaxPointerHops)
                {
                    throw new FormatException("bad compression pointer");
                }

                if (resumeAt < 0)
                {
                    resumeAt = at + 2;
                }

                at = ((length & 0x3F) << 8) | _message[at + 1];
                continue;
            }

            if ((length & 0xC0) != 0 || at + 1 + length > _message.Length)
            {
                throw new FormatException("bad label");
            }

            if (text.Length > 0)
            {
                text.Append('.');
            }

            text.Append(Encoding.ASCII.GetString(_message.Slice(at + 1, length)));
            if (text.Length > 255)
            {
                throw new FormatException("name longer than 255 characters");
            }

            at += 1 + length;
        }
    }

    /// <summary>Skips a question entry (name, type, class).</summary>
    public void SkipQuestion()
    {
        ReadName();
        Take(4);
    }

    /// <summary>Skips a resource record (name, type, class, TTL, data).</summary>
    public void SkipRecord()
    {
        ReadName();
        Take(8);
        Take(ReadUInt16());
    }
}
