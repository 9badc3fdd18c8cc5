using System.Buffers.Binary;

namespace Kith.Dns.Server;

/// <summary>
/// The hot path: reads the header and the one question of a query by hand, looks the answer up in the
/// <see cref="AnswerTable"/> and writes the response (id, question bytes as sent, RD and CD copied, an OPT
/// record when the query had one). No allocation per query.
/// </summary>
internal static class DnsResponder
{
    public const int HeaderLength = 12;

    /// <summary>The UDP payload size the server advertises and the most it sends over UDP to an EDNS client (the DNS flag day 2020 value).</summary>
    public const ushort EdnsPayloadSize = 1232;

    /// <summary>The most a UDP answer to a client without EDNS may carry (RFC 1035 4.2.1).</summary>
    public const int ClassicUdpLimit = 512;

    /// <summary>The largest response, the TCP limit; a response buffer this large is always enough.</summary>
    public const int MaxResponse = 65535;

    private const int OptLength = 11;

    /// <summary>What the server should do with a message before answering it from the table.</summary>
    public enum Kind
    {
        /// <summary>Not a query (a response, or under 12 bytes): no answer at all.</summary>
        Drop,

        /// <summary>Answer with <see cref="Respond"/>.</summary>
        Query,

        /// <summary>An RFC 2136 update: hand it to the update handler.</summary>
        Update,
    }

    public static Kind Classify(ReadOnlySpan<byte> query)
    {
        if (query.Length < HeaderLength || (query[2] & 0x80) != 0)
        {
            return Kind.Drop;
        }

        return ((query[2] >> 3) & 0xF) == 5 ? Kind.Update : Kind.Query;
    }

    /// <summary>
    /// Writes the response to <paramref name="query"/> (which <see cref="Classify"/> called a query or an
    /// update without handler) into <paramref name="response"/> (at least <see cref="MaxResponse"/> bytes).
    /// </summary>
    /// <param name="tcp">Whether the answer goes over TCP (no 512/EDNS size limit).</param>
    /// <param name="rcode">The (extended) rcode answered, for the counters.</param>
    /// <returns>The response's length.</returns>
    public static int Respond(AnswerTable table, ReadOnlySpan<byte> query, Span<byte> response, bool tcp, out int rcode)
    {
        var opcode = (query[2] >> 3) & 0xF;
        if (opcode != 0)
        {
            return HeaderOnly(query, response, DnsRcode.NotImp, out rcode);
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1)
        {
            return HeaderOnly(query, response, DnsRcode.FormErr, out rcode);
        }

        Span<char> key = stackalloc char[DnsNames.MaxWireLength];
        if (!DnsNames.TryReadKey(query, HeaderLength, key, out var keyLength, out var afterName) || afterName + 4 > query.Length)
        {
            return HeaderOnly(query, response, DnsRcode.FormErr, out rcode);
        }

        var questionEnd = afterName + 4;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query[afterName..]);
        var qclass = BinaryPrimitives.ReadUInt16BigEndian(query[(afterName + 2)..]);
        if (!TryReadOpt(query, questionEnd, out var edns))
        {
            return HeaderOnly(query, response, DnsRcode.FormErr, out rcode);
        }

        ResponseBody body;
        if (edns.Present && edns.Version != 0)
        {
            body = Bodies.BadVers;
        }
        else if (type == DnsType.Opt)
        {
            body = Bodies.FormErr;
        }
        else if (qclass != DnsType.ClassIn || type is DnsType.Axfr or DnsType.Ixfr)
        {
            body = Bodies.Refused; // other classes are not served; zone transfers are not offered
        }
        else
        {
            body = table.Find(key[..keyLength], type);
        }

        rcode = body.Rcode;
        var limit = tcp ? MaxResponse : edns.Present ? Math.Clamp((int)edns.PayloadSize, ClassicUdpLimit, EdnsPayloadSize) : ClassicUdpLimit;
        var optLength = edns.Present ? OptLength : 0;
        var full = questionEnd + body.Sections.Length + optLength;
        var truncated = full > limit;

        query[..questionEnd].CopyTo(response);
        response[2] = (byte)(0x80 | (body.Authoritative ? 0x04 : 0) | (truncated ? 0x02 : 0) | (query[2] & 0x01));
        response[3] = (byte)((query[3] & 0x10) | (body.Rcode & 0x0F));
        BinaryPrimitives.WriteUInt16BigEndian(response[6..], truncated ? (ushort)0 : body.Answers);
        BinaryPrimitives.WriteUInt16BigEndian(response[8..], truncated ? (ushort)0 : body.Authority);
        BinaryPrimitives.WriteUInt16BigEndian(response[10..], (ushort)(edns.Present ? 1 : 0));
        var length = questionEnd;
        if (!truncated)
        {
            body.Sections.CopyTo(response[length..]);
            length += body.Sections.Length;
        }

        if (edns.Present)
        {
            var opt = response[length..];
            opt[0] = 0; // root owner
            BinaryPrimitives.WriteUInt16BigEndian(opt[1..], DnsType.Opt);
            BinaryPrimitives.WriteUInt16BigEndian(opt[3..], EdnsPayloadSize);
            opt[5] = (byte)(body.Rcode >> 4); // extended rcode bits
            opt[6] = 0; // version
            opt[7] = (byte)(edns.DnssecOk ? 0x80 : 0); // RFC 3225: DO is copied
            opt[8] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(opt[9..], 0);
            length += OptLength;
        }

        return length;
    }

    /// <summary>A response of just the header (no question): for a query whose question cannot be read, or an opcode not served.</summary>
    public static int HeaderOnly(ReadOnlySpan<byte> query, Span<byte> response, byte rcodeValue, out int rcode)
    {
        rcode = rcodeValue;
        query[..2].CopyTo(response);
        response[2] = (byte)(0x80 | (query[2] & 0x79)); // QR, the opcode and RD as asked
        response[3] = rcodeValue;
        response[4..HeaderLength].Clear();
        return HeaderLength;
    }

    /// <summary>
    /// Walks the records after the question looking for the OPT record (RFC 6891). False when a record runs
    /// past the message, the OPT's owner is not the root, or there is more than one.
    /// </summary>
    private static bool TryReadOpt(ReadOnlySpan<byte> query, int offset, out Edns edns)
    {
        edns = default;
        var records = BinaryPrimitives.ReadUInt16BigEndian(query[6..]) + BinaryPrimitives.ReadUInt16BigEndian(query[8..]) + BinaryPrimitives.ReadUInt16BigEndian(query[10..]);
        for (var i = 0; i < records; i++)
        {
            if (!DnsNames.TrySkip(query, offset, out var afterName, out var isRoot) || afterName + 10 > query.Length)
            {
                return false;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(query[afterName..]);
            var dataLength = BinaryPrimitives.ReadUInt16BigEndian(query[(afterName + 8)..]);
            if (afterName + 10 + dataLength > query.Length)
            {
                return false;
            }

            if (type == DnsType.Opt)
            {
                if (edns.Present || !isRoot)
                {
                    return false;
                }

                edns = new Edns(true, BinaryPrimitives.ReadUInt16BigEndian(query[(afterName + 2)..]), query[afterName + 5], (query[afterName + 6] & 0x80) != 0);
            }

            offset = afterName + 10 + dataLength;
        }

        return true;
    }

    private readonly record struct Edns(bool Present, ushort PayloadSize, byte Version, bool DnssecOk);

    private static class Bodies
    {
        public static readonly ResponseBody BadVers = ResponseBody.Empty(DnsRcode.BadVers);
        public static readonly ResponseBody FormErr = ResponseBody.Empty(DnsRcode.FormErr);
        public static readonly ResponseBody Refused = ResponseBody.Empty(DnsRcode.Refused);
    }
}
