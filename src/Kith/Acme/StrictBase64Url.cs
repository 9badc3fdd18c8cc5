using System.Buffers;
using System.Buffers.Text;

namespace Kith.Acme;

/// <summary>
/// Strict base64url (RFC 7515 §2) for everything a client sends: the URL-safe alphabet only, no padding,
/// no white space, and no non-zero bits left over in the last character, so that every value has exactly
/// one spelling (a nonce, a JWS part or an ARI identifier cannot be replayed under a second name).
/// </summary>
internal static class StrictBase64Url
{
    /// <summary>Decodes into <paramref name="destination"/>; false for any non-canonical text or too small a destination.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        if (text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
            {
                return false;
            }
        }

        if (Base64Url.DecodeFromChars(text, destination, out var consumed, out written) != OperationStatus.Done
            || consumed != text.Length
            || Base64Url.GetEncodedLength(written) != text.Length)
        {
            return false;
        }

        // Re-encoding catches spare bits a lenient decoder drops ("AB" and "AA" both decode to 0x00).
        Span<char> again = text.Length <= 512 ? stackalloc char[text.Length] : new char[text.Length];
        Base64Url.EncodeToChars(destination[..written], again);
        return again.SequenceEqual(text);
    }

    public static bool TryDecode(string text, out byte[] bytes)
    {
        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (!TryDecode(text, buffer, out var written))
        {
            bytes = [];
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer[..written];
        return true;
    }
}
