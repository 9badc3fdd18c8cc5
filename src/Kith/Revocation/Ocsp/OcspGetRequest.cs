using System.Buffers;

namespace Kith.Revocation.Ocsp;

/// <summary>
/// The request in a GET URL (RFC 6960 Appendix A.1: <c>{url}/{url-encoding of base-64 encoding of the DER}</c>).
/// Clients differ, so this takes the base64 URL-encoded or not, in the URL-safe alphabet too, with or without padding.
/// </summary>
public static class OcspGetRequest
{
    /// <summary>Decodes <paramref name="encoded"/> into <paramref name="destination"/> (at least 3/4 of its length plus 3); false when it is not base64.</summary>
    public static bool TryDecode(ReadOnlySpan<char> encoded, Span<byte> destination, out int written)
    {
        written = 0;
        if (encoded.IsEmpty)
        {
            return false;
        }

        var rented = ArrayPool<char>.Shared.Rent(encoded.Length + 3);
        try
        {
            var length = 0;
            for (var i = 0; i < encoded.Length; i++)
            {
                var c = encoded[i];
                if (c == '%')
                {
                    if (i + 2 >= encoded.Length || !char.IsAsciiHexDigit(encoded[i + 1]) || !char.IsAsciiHexDigit(encoded[i + 2]))
                    {
                        return false;
                    }

                    c = (char)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]));
                    i += 2;
                }

                rented[length++] = c switch
                {
                    '-' => '+',
                    '_' => '/',
                    _ => c,
                };
            }

            while (length % 4 != 0)
            {
                rented[length++] = '=';
            }

            return Convert.TryFromBase64Chars(rented.AsSpan(0, length), destination, out written) && written > 0;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
