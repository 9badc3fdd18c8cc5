using System.Text;

namespace Kith.Dns.Server;

/// <summary>
/// Domain names as table keys: the wire form (length-prefixed labels, no final zero byte) lower-cased, one
/// char per byte. Unlike dotted text, the key cannot confuse a dot inside a label with a label boundary, and
/// its bytes plus a zero are the name on the wire.
/// </summary>
internal static class DnsNames
{
    /// <summary>The longest name on the wire, the final zero byte included (RFC 1035 2.3.4).</summary>
    public const int MaxWireLength = 255;

    /// <summary>The key of a presentation name ("host.home.arpa", no trailing dot; "" or "." is the root).</summary>
    /// <exception cref="ArgumentException">A label is empty or longer than 63 bytes, or the name is longer than 255.</exception>
    public static string Key(string name)
    {
        var trimmed = name.TrimEnd('.');
        if (trimmed.Length == 0)
        {
            return string.Empty;
        }

        var key = new StringBuilder(trimmed.Length + 1);
        foreach (var label in trimmed.Split('.'))
        {
            var bytes = Encoding.UTF8.GetBytes(label.ToLowerInvariant());
            if (bytes.Length is 0 or > 63)
            {
                throw new ArgumentException($"{name}: a label must have 1 to 63 bytes", nameof(name));
            }

            key.Append((char)bytes.Length);
            foreach (var b in bytes)
            {
                key.Append((char)b);
            }
        }

        if (key.Length + 1 > MaxWireLength)
        {
            throw new ArgumentException($"{name}: longer than 255 bytes on the wire", nameof(name));
        }

        return key.ToString();
    }

    /// <summary>The name on the wire (uncompressed, final zero included).</summary>
    public static byte[] Wire(string key)
    {
        var wire = new byte[key.Length + 1];
        for (var i = 0; i < key.Length; i++)
        {
            wire[i] = (byte)key[i];
        }

        return wire;
    }

    /// <summary>The key of the parent name ("" for a top-level name).</summary>
    public static string Parent(string key) => key.Length == 0 ? key : key[(1 + key[0])..];

    /// <summary>Whether <paramref name="key"/> is <paramref name="apex"/> or below it.</summary>
    public static bool IsAtOrBelow(string key, string apex)
    {
        if (apex.Length == 0)
        {
            return true;
        }

        for (var rest = key; rest.Length >= apex.Length; rest = Parent(rest))
        {
            if (rest.Length == apex.Length)
            {
                return rest == apex;
            }
        }

        return false;
    }

    /// <summary>The key of the wildcard child of a name (<c>*.name</c>).</summary>
    public static string WildcardOf(string key) => "\u0001*" + key;

    /// <summary>
    /// Reads an uncompressed name at <paramref name="offset"/> into <paramref name="key"/>, lower-casing ASCII
    /// letters. False for a compression pointer, a reserved label type, a name over 255 bytes or a cut message.
    /// </summary>
    /// <param name="next">The offset just after the name's final zero byte.</param>
    public static bool TryReadKey(ReadOnlySpan<byte> message, int offset, Span<char> key, out int keyLength, out int next)
    {
        keyLength = 0;
        next = offset;
        while (true)
        {
            if (next >= message.Length)
            {
                return false;
            }

            int length = message[next];
            if (length == 0)
            {
                next++;
                return true;
            }

            if ((length & 0xC0) != 0 || keyLength + 1 + length + 1 > MaxWireLength || next + 1 + length > message.Length)
            {
                return false;
            }

            key[keyLength++] = (char)length;
            foreach (var b in message.Slice(next + 1, length))
            {
                key[keyLength++] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
            }

            next += 1 + length;
        }
    }

    /// <summary>
    /// Skips a name that may end in a compression pointer (records after the question). False when the name
    /// runs past the message or is longer than 255 bytes.
    /// </summary>
    public static bool TrySkip(ReadOnlySpan<byte> message, int offset, out int next, out bool isRoot)
    {
        next = offset;
        isRoot = false;
        var total = 0;
        while (next < message.Length)
        {
            int length = message[next];
            if (length == 0)
            {
                isRoot = next == offset;
                next++;
                return true;
            }

            if ((length & 0xC0) == 0xC0)
            {
                next += 2;
                return next <= message.Length;
            }

            if ((length & 0xC0) != 0)
            {
                return false;
            }

            total += 1 + length;
            if (total + 1 > MaxWireLength)
            {
                return false;
            }

            next += 1 + length;
        }

        return false;
    }
}
