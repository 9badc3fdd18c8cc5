namespace Kith.Acme.Jws;

/// <summary>
/// Strict base64url (RFC 7515 §2): the URL-safe alphabet, no padding, no white space, and no
/// non-zero bits left over in the last character, so that every value has exactly one encoding.
/// </summary>
internal static class Base64Url
{
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        foreach (char c in text)
        {
            bool valid = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
            if (!valid)
            {
                return false;
            }
        }

        if (text.Length % 4 == 1)
        {
            return false;
        }

        try
        {
            bytes = Base64UrlDecode(text);
        }
        catch (FormatException)
        {
            return false;
        }

        // Re-encoding catches trailing bits that a lenient decoder would drop ("AB" and "AA" both → 0x00).
        return string.Equals(Encode(bytes), text, StringComparison.Ordinal);
    }

    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[] Base64UrlDecode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
