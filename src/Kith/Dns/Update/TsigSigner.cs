using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kith.Dns.Update;

/// <summary>Checks the MAC of a signed request and signs the answer to it (RFC 8945 sections 4.3 and 5.3).</summary>
internal static class TsigSigner
{
    /// <summary>Whether the request's MAC is the one <paramref name="key"/> gives (compared in constant time).</summary>
    public static bool Verify(ReadOnlySpan<byte> message, TsigRecord tsig, TsigKey key)
    {
        // RFC 8945 section 5.2.2: a MAC shorter than the full output is truncation, which kith does not accept.
        var expected = RequestMac(message, tsig, key);
        return tsig.Mac.Length == expected.Length && CryptographicOperations.FixedTimeEquals(expected, tsig.Mac);
    }

    /// <summary>
    /// The request digest: the message as it was before the TSIG record was added (original ID, one additional
    /// record fewer), then the TSIG variables.
    /// </summary>
    private static byte[] RequestMac(ReadOnlySpan<byte> message, TsigRecord tsig, TsigKey key)
    {
        var data = new List<byte>(tsig.Offset + 128);
        data.AddRange(WithoutTsig(message[..tsig.Offset], tsig.OriginalId));
        tsig.WriteVariables(data);
        return TsigAlgorithms.Mac(key.NormalizedAlgorithm, key.Secret, [.. data]);
    }

    /// <summary>
    /// The answer with a TSIG record appended: signed when <paramref name="key"/> is given (the digest starts with the
    /// request's MAC), else carrying an empty MAC, as RFC 8945 section 5.3.2 asks for BADKEY and BADSIG.
    /// </summary>
    public static byte[] Sign(byte[] answer, TsigRecord request, TsigKey? key, ushort error, long now)
    {
        // BADTIME answers carry the server's clock so the client can see the skew (RFC 8945 section 5.2.3).
        var other = error == TsigRecord.BadTime ? TsigRecord.Time48(now) : [];
        var timeSigned = key is null ? request.TimeSigned : now;
        var unsigned = request with { TimeSigned = timeSigned, Fudge = TsigPolicy.FudgeSeconds, Mac = [], Error = error, OtherData = other };
        var mac = Array.Empty<byte>();
        if (key is not null)
        {
            var data = new List<byte>(answer.Length + 256);
            var requestMacLength = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(requestMacLength, (ushort)request.Mac.Length);
            data.AddRange(requestMacLength);
            data.AddRange(request.Mac);
            data.AddRange(answer);
            unsigned.WriteVariables(data);
            mac = TsigAlgorithms.Mac(key.NormalizedAlgorithm, key.Secret, [.. data]);
        }

        var output = new List<byte>(answer.Length + 128);
        output.AddRange(answer);
        (unsigned with { Mac = mac }).WriteRecord(output);
        var signed = output.ToArray();
        var additional = BinaryPrimitives.ReadUInt16BigEndian(signed.AsSpan(10));
        BinaryPrimitives.WriteUInt16BigEndian(signed.AsSpan(10), (ushort)(additional + 1));
        return signed;
    }

    private static byte[] WithoutTsig(ReadOnlySpan<byte> head, ushort originalId)
    {
        var copy = head.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(copy, originalId);
        var additional = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(10));
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(10), (ushort)(additional - 1));
        return copy;
    }
}
