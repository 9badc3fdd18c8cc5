using System.Buffers.Binary;
using System.Text;
using Kith.Dns.Server;

namespace Kith.Dns.Update;

/// <summary>
/// The TSIG resource record of a message (RFC 8945 section 4.2), read from or written to the wire.
/// <see cref="Offset"/> is where the record starts in the message it was read from.
/// </summary>
internal sealed record TsigRecord(
    string KeyName, string Algorithm, long TimeSigned, ushort Fudge, byte[] Mac, ushort OriginalId, ushort Error, byte[] OtherData, int Offset = 0)
{
    /// <summary>RFC 8945 error codes carried in the TSIG record (with RCODE NOTAUTH).</summary>
    public const ushort BadSig = 16;
    public const ushort BadKey = 17;
    public const ushort BadTime = 18;

    /// <summary>
    /// Finds the TSIG record, which must be the last additional record (RFC 8945 section 5.1).
    /// Null when the message carries none; <see cref="FormatException"/> when it is malformed.
    /// </summary>
    public static TsigRecord? Find(ReadOnlySpan<byte> message)
    {
        var reader = new DnsWireReader(message);
        reader.Take(4);
        var questions = reader.ReadUInt16();
        var records = reader.ReadUInt16() + reader.ReadUInt16() + reader.ReadUInt16();
        if (records == 0)
        {
            return null;
        }

        for (var i = 0; i < questions; i++)
        {
            reader.SkipQuestion();
        }

        for (var i = 0; i < records - 1; i++)
        {
            reader.SkipRecord();
        }

        var offset = reader.Position;
        var name = reader.ReadName();
        var type = reader.ReadUInt16();
        if (type != DnsType.Tsig)
        {
            return null;
        }

        reader.Take(6);
        var dataLength = reader.ReadUInt16();
        var dataEnd = reader.Position + dataLength;
        var algorithm = reader.ReadName();
        var timeSigned = reader.ReadUInt48();
        var fudge = reader.ReadUInt16();
        var mac = reader.Take(reader.ReadUInt16()).ToArray();
        var originalId = reader.ReadUInt16();
        var error = reader.ReadUInt16();
        var other = reader.Take(reader.ReadUInt16()).ToArray();
        if (reader.Position != dataEnd || dataEnd != message.Length)
        {
            throw new FormatException("TSIG record length does not match its data, or data follows it");
        }

        return new TsigRecord(name, algorithm, timeSigned, fudge, mac, originalId, error, other, offset);
    }

    /// <summary>
    /// The "TSIG variables" (RFC 8945 section 4.3.3) hashed after the message: names in canonical form,
    /// class ANY, TTL 0, then the time, fudge, error and other data.
    /// </summary>
    public void WriteVariables(List<byte> output)
    {
        WriteName(output, KeyName);
        WriteUInt16(output, DnsType.ClassAny);
        WriteUInt32(output, 0);
        WriteName(output, Algorithm);
        WriteTime(output, TimeSigned);
        WriteUInt16(output, Fudge);
        WriteUInt16(output, Error);
        WriteUInt16(output, (ushort)OtherData.Length);
        output.AddRange(OtherData);
    }

    /// <summary>The whole record as it goes in the additional section.</summary>
    public void WriteRecord(List<byte> output)
    {
        WriteName(output, KeyName);
        WriteUInt16(output, DnsType.Tsig);
        WriteUInt16(output, DnsType.ClassAny);
        WriteUInt32(output, 0);
        var data = new List<byte>();
        WriteName(data, Algorithm);
        WriteTime(data, TimeSigned);
        WriteUInt16(data, Fudge);
        WriteUInt16(data, (ushort)Mac.Length);
        data.AddRange(Mac);
        WriteUInt16(data, OriginalId);
        WriteUInt16(data, Error);
        WriteUInt16(data, (ushort)OtherData.Length);
        data.AddRange(OtherData);
        WriteUInt16(output, (ushort)data.Count);
        output.AddRange(data);
    }

    /// <summary>A 48-bit time, as in Time Signed and in the Other Data of a BADTIME answer.</summary>
    public static byte[] Time48(long seconds)
    {
        var output = new List<byte>(6);
        WriteTime(output, seconds);
        return [.. output];
    }

    private static void WriteName(List<byte> output, string name)
    {
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label.ToLowerInvariant());
            output.Add((byte)bytes.Length);
            output.AddRange(bytes);
        }

        output.Add(0);
    }

    private static void WriteTime(List<byte> output, long seconds)
    {
        WriteUInt16(output, (ushort)(seconds >> 32));
        WriteUInt32(output, (uint)seconds);
    }

    private static void WriteUInt16(List<byte> output, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        output.AddRange(bytes);
    }

    private static void WriteUInt32(List<byte> output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        output.AddRange(bytes);
    }
}
