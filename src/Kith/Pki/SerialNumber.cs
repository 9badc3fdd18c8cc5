using System.Security.Cryptography;

namespace Kith.Pki;

/// <summary>
/// Certificate serials: 16 octets, 126 random bits. RFC 5280 §4.1.2.2 wants a positive INTEGER of at
/// most 20 octets; the CA/Browser Forum baseline wants at least 64 bits from a CSPRNG. The top two bits
/// are fixed at 01 so the value is positive and its DER encoding is always exactly 16 content octets.
/// </summary>
public static class SerialNumber
{
    public const int Length = 16;

    public static void Fill(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(destination.Length, Length, nameof(destination));
        RandomNumberGenerator.Fill(destination);
        destination[0] = (byte)((destination[0] & 0x3F) | 0x40);
    }

    public static byte[] New()
    {
        var serial = new byte[Length];
        Fill(serial);
        return serial;
    }

    public static string ToHex(ReadOnlySpan<byte> serial) => Convert.ToHexStringLower(serial);
}
