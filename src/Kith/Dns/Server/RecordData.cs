using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kith.Dns.Server;

/// <summary>
/// The RDATA of a zone record on the wire, from the presentation value of the contract (<see cref="ZoneRecord.Value"/>).
/// Names inside RDATA are written uncompressed, which every resolver reads and keeps the encoder simple.
/// </summary>
internal static class RecordData
{
    /// <summary>The type code and RDATA, or null when the type is not one the server encodes or the value does not parse.</summary>
    public static (ushort Type, byte[] Data)? Encode(ZoneRecord record)
    {
        var type = DnsType.FromName(record.Type);
        try
        {
            byte[]? data = type switch
            {
                DnsType.A => Address(record.Value, AddressFamily.InterNetwork),
                DnsType.Aaaa => Address(record.Value, AddressFamily.InterNetworkV6),
                DnsType.Cname or DnsType.Ns => DnsNames.Wire(DnsNames.Key(record.Value)),
                DnsType.Soa => Soa(record.Value),
                DnsType.Txt => Txt(record.Value),
                DnsType.Srv => Srv(record.Value),
                _ => null,
            };
            return data is null ? null : (type, data);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The RFC 8482 answer to ANY: HINFO with CPU "RFC8482" and an empty OS.</summary>
    public static byte[] Rfc8482Hinfo() => [7, (byte)'R', (byte)'F', (byte)'C', (byte)'8', (byte)'4', (byte)'8', (byte)'2', 0];

    private static byte[]? Address(string value, AddressFamily family) =>
        IPAddress.TryParse(value, out var address) && address.AddressFamily == family ? address.GetAddressBytes() : null;

    private static byte[]? Soa(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 7)
        {
            return null;
        }

        var mname = DnsNames.Wire(DnsNames.Key(parts[0]));
        var rname = DnsNames.Wire(DnsNames.Key(parts[1]));
        var data = new byte[mname.Length + rname.Length + 20];
        mname.CopyTo(data, 0);
        rname.CopyTo(data, mname.Length);
        for (var i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(mname.Length + rname.Length + (4 * i)), uint.Parse(parts[2 + i], NumberStyles.None, CultureInfo.InvariantCulture));
        }

        return data;
    }

    /// <summary>The text as one or more character-strings of at most 255 bytes each (RFC 1035 3.3.14).</summary>
    private static byte[] Txt(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var chunks = Math.Max(1, (bytes.Length + 254) / 255);
        var data = new byte[bytes.Length + chunks];
        var written = 0;
        for (var offset = 0; offset < bytes.Length || written == 0; offset += 255)
        {
            var length = Math.Min(255, bytes.Length - offset);
            data[written++] = (byte)length;
            bytes.AsSpan(offset, length).CopyTo(data.AsSpan(written));
            written += length;
        }

        return data;
    }

    private static byte[]? Srv(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4)
        {
            return null;
        }

        var target = DnsNames.Wire(DnsNames.Key(parts[3]));
        var data = new byte[6 + target.Length];
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2 * i), ushort.Parse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture));
        }

        target.CopyTo(data, 6);
        return data;
    }
}
