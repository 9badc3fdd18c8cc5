using System.Buffers.Binary;
using System.Text;
using ARSoft.Tools.Net.Dns;
using Kith.Dns.Server;

namespace Kith.Tests.Dns;

/// <summary>Queries written by hand (so a test can set any bit) and responses read by ARSoft.Tools.Net, an outside parser.</summary>
internal static class ServerQueries
{
    public static byte[] Query(string name, ushort type, ushort id = 0x1234, bool rd = true, ushort? ednsSize = null, byte ednsVersion = 0, ushort qclass = 1, byte opcode = 0, ushort questions = 1)
    {
        var bytes = new List<byte>();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = (byte)((opcode << 3) | (rd ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], questions);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], (ushort)(ednsSize is null ? 0 : 1));
        bytes.AddRange(header);
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        bytes.AddRange([(byte)(type >> 8), (byte)type, (byte)(qclass >> 8), (byte)qclass]);
        if (ednsSize is { } size)
        {
            bytes.AddRange([0, 0, 41, (byte)(size >> 8), (byte)size, 0, ednsVersion, 0, 0, 0, 0]);
        }

        return [.. bytes];
    }

    /// <summary>The response of the responder itself (no sockets), parsed.</summary>
    public static DnsMessage Ask(AnswerTable table, byte[] query, bool tcp = false) => DnsMessage.Parse(new ArraySegment<byte>(AskRaw(table, query, tcp)));

    public static byte[] AskRaw(AnswerTable table, byte[] query, bool tcp = false)
    {
        Assert.Equal(DnsResponder.Kind.Query, DnsResponder.Classify(query));
        var response = new byte[DnsResponder.MaxResponse];
        var length = DnsResponder.Respond(table, query, response, tcp, out _);
        return response[..length];
    }
}
