using System.Buffers.Binary;

namespace Kith.Dns.Update;

/// <summary>The RCODEs an update answer uses (RFC 1035 section 4.1.1, RFC 2136 section 2.2).</summary>
internal enum UpdateRcode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    YxDomain = 6,
    YxRrset = 7,
    NxRrset = 8,
    NotAuth = 9,
    NotZone = 10,
}

/// <summary>
/// Builds the (unsigned) answer to an update: the request's ID and opcode with QR set and the RCODE, and the
/// request's zone section echoed back as BIND does; prerequisite, update and additional sections are empty.
/// </summary>
internal static class UpdateAnswer
{
    private const int HeaderLength = 12;

    public static byte[] Build(ReadOnlySpan<byte> request, UpdateRcode rcode)
    {
        var zone = ZoneSection(request);
        var answer = new byte[HeaderLength + zone.Length];
        request[..2].CopyTo(answer);
        var requestFlags = BinaryPrimitives.ReadUInt16BigEndian(request[2..]);
        // QR = 1, the request's opcode, everything else clear, then the RCODE.
        var flags = (ushort)(0x8000 | (requestFlags & 0x7800) | (ushort)rcode);
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(4), (ushort)(zone.Length > 0 ? 1 : 0));
        zone.CopyTo(answer.AsSpan(HeaderLength));
        return answer;
    }

    /// <summary>The bytes of the single zone entry, or nothing when there is not exactly one or it is malformed.</summary>
    private static ReadOnlySpan<byte> ZoneSection(ReadOnlySpan<byte> request)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(request[4..]) != 1)
        {
            return [];
        }

        try
        {
            var reader = new DnsWireReader(request) { Position = HeaderLength };
            var first = request[HeaderLength];
            reader.SkipQuestion();
            // A compressed name would point into a header that is no longer the same; echo only plain names.
            return (first & 0xC0) == 0 ? request[HeaderLength..reader.Position] : [];
        }
        catch (FormatException)
        {
            return [];
        }
    }
}
