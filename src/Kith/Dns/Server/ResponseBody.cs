using System.Buffers.Binary;

namespace Kith.Dns.Server;

/// <summary>
/// A pre-encoded answer: the sections after the question, their counts, the rcode and whether it is
/// authoritative. The owner of records that belong to the queried name is a compression pointer to the
/// question (offset 12), so one body serves every spelling (0x20 case) of the name and every name a wildcard matches.
/// </summary>
internal sealed class ResponseBody(byte[] sections, ushort answers, ushort authority, byte rcode, bool authoritative)
{
    public byte[] Sections { get; } = sections;

    public ushort Answers { get; } = answers;

    public ushort Authority { get; } = authority;

    public byte Rcode { get; } = rcode;

    public bool Authoritative { get; } = authoritative;

    /// <summary>An answer with no records (REFUSED, FORMERR, …), not authoritative.</summary>
    public static ResponseBody Empty(byte rcode) => new([], 0, 0, rcode, authoritative: false);
}

/// <summary>Writes the records of one <see cref="ResponseBody"/>.</summary>
internal sealed class ResponseBodyWriter
{
    private readonly List<byte> bytes = [];
    private ushort answers;
    private ushort authority;

    /// <param name="ownerKey">The owner's key, or null for the queried name (written as a pointer to the question).</param>
    public void Answer(string? ownerKey, ushort type, int ttl, byte[] data)
    {
        Write(ownerKey, type, ttl, data);
        answers++;
    }

    public void Authority(string ownerKey, ushort type, int ttl, byte[] data)
    {
        Write(ownerKey, type, ttl, data);
        authority++;
    }

    public ResponseBody Build(byte rcode) => new([.. bytes], answers, authority, rcode, authoritative: true);

    private void Write(string? ownerKey, ushort type, int ttl, byte[] data)
    {
        if (ownerKey is null)
        {
            bytes.Add(0xC0);
            bytes.Add(12);
        }
        else
        {
            bytes.AddRange(DnsNames.Wire(ownerKey));
        }

        Span<byte> fixedPart = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, type);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], DnsType.ClassIn);
        BinaryPrimitives.WriteInt32BigEndian(fixedPart[4..], ttl);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)data.Length);
        bytes.AddRange(fixedPart);
        bytes.AddRange(data);
    }
}
