using System.Buffers.Text;
using System.Security.Cryptography;

namespace Kith.Acme.Server;

/// <summary>Object ids and challenge tokens: 128 bits from the CSPRNG as 22 base64url characters, so no id can be guessed.</summary>
internal static class AcmeIds
{
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>True for a string that could be one of our ids (so junk never reaches the store).</summary>
    public static bool LooksValid(ReadOnlySpan<char> id)
    {
        if (id.Length != 22)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
