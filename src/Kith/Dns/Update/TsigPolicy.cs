namespace Kith.Dns.Update;

/// <summary>The TSIG limits kith applies.</summary>
internal static class TsigPolicy
{
    /// <summary>The clock difference accepted between a client and this server (RFC 8945 recommends 300 s).</summary>
    public const ushort FudgeSeconds = 300;
}
