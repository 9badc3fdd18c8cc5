namespace Kith.Dns.Server;

/// <summary>The record types, classes and codes the server and the update handler read or write (RFC 1035, 2136, 2671, 3596, 2782, 8482, 8945).</summary>
internal static class DnsType
{
    public const ushort A = 1;
    public const ushort Ns = 2;
    public const ushort Cname = 5;
    public const ushort Soa = 6;
    public const ushort Hinfo = 13;
    public const ushort Txt = 16;
    public const ushort Aaaa = 28;
    public const ushort Srv = 33;
    public const ushort Opt = 41;
    public const ushort Tsig = 250;
    public const ushort Ixfr = 251;
    public const ushort Axfr = 252;
    public const ushort Any = 255;

    public const ushort ClassIn = 1;

    /// <summary>NONE (RFC 2136): deletes one record in an update.</summary>
    public const ushort ClassNone = 254;

    /// <summary>ANY: deletes a set in an update; TSIG's class.</summary>
    public const ushort ClassAny = 255;

    /// <summary>The type code of a zone record's type name, or 0 for a type the server does not encode.</summary>
    public static ushort FromName(string type) => type.ToUpperInvariant() switch
    {
        "A" => A,
        "NS" => Ns,
        "CNAME" => Cname,
        "SOA" => Soa,
        "TXT" => Txt,
        "AAAA" => Aaaa,
        "SRV" => Srv,
        _ => 0,
    };
}

/// <summary>Response codes (RFC 1035 4.1.1, RFC 6891 for BADVERS, which needs the OPT record's extended bits).</summary>
internal static class DnsRcode
{
    public const byte NoError = 0;
    public const byte FormErr = 1;
    public const byte ServFail = 2;
    public const byte NxDomain = 3;
    public const byte NotImp = 4;
    public const byte Refused = 5;
    public const byte NotAuth = 9;
    public const byte BadVers = 16;

    /// <summary>The label of a code in metrics and /healthz.</summary>
    public static string Name(int rcode) => rcode switch
    {
        NoError => "noerror",
        FormErr => "formerr",
        ServFail => "servfail",
        NxDomain => "nxdomain",
        NotImp => "notimp",
        Refused => "refused",
        NotAuth => "notauth",
        BadVers => "badvers",
        _ => "rcode" + rcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
