using System.Security.Cryptography;

namespace Kith.Dns.Update;

/// <summary>The TSIG MAC algorithms kith accepts (RFC 8945 section 6), by their DNS names.</summary>
public static class TsigAlgorithms
{
    public const string HmacSha256 = "hmac-sha256";
    public const string HmacSha512 = "hmac-sha512";
    public const string HmacSha384 = "hmac-sha384";
    public const string HmacSha1 = "hmac-sha1";

    /// <summary>Every supported algorithm name, the recommended first.</summary>
    public static IReadOnlyList<string> Names { get; } = [HmacSha256, HmacSha512, HmacSha384, HmacSha1];

    public static bool IsSupported(string name) => Names.Contains(name.ToLowerInvariant());

    /// <summary>The HMAC of <paramref name="data"/> under <paramref name="secret"/> with the named algorithm.</summary>
    public static byte[] Mac(string algorithm, byte[] secret, ReadOnlySpan<byte> data) => algorithm.ToLowerInvariant() switch
    {
        HmacSha256 => HMACSHA256.HashData(secret, data),
        HmacSha512 => HMACSHA512.HashData(secret, data),
        HmacSha384 => HMACSHA384.HashData(secret, data),
        HmacSha1 => HMACSHA1.HashData(secret, data),
        _ => throw new ArgumentException($"unsupported TSIG algorithm '{algorithm}'", nameof(algorithm)),
    };
}
