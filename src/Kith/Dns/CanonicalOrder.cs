namespace Kith.Dns;

/// <summary>
/// Orders DNS names as RFC 4034 §6.1 does: label by label from the right, so a name's subdomains follow it
/// (<c>home.arpa</c>, <c>*.apps.home.arpa</c>, <c>web.apps.home.arpa</c>, <c>storage.home.arpa</c>).
/// Names are expected in lower case without the trailing dot; labels compare as ordinal strings.
/// </summary>
public sealed class CanonicalOrder : IComparer<string>, IComparer<ZoneRecord>
{
    public static CanonicalOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (i, j) = (x.Length, y.Length);
        while (i > 0 && j > 0)
        {
            var a = Label(x, ref i);
            var b = Label(y, ref j);
            var byLabel = a.SequenceCompareTo(b);
            if (byLabel != 0)
            {
                return byLabel;
            }
        }

        // The name with labels left over is the longer one, below the other.
        return (i > 0).CompareTo(j > 0);
    }

    /// <summary>By name (canonical order), then type, then value.</summary>
    public int Compare(ZoneRecord? x, ZoneRecord? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var byName = Compare(x.Name, y.Name);
        if (byName != 0)
        {
            return byName;
        }

        var byType = string.CompareOrdinal(x.Type, y.Type);
        return byType != 0 ? byType : string.CompareOrdinal(x.Value, y.Value);
    }

    // The label ending just before `end`; moves `end` to before its dot.
    private static ReadOnlySpan<char> Label(string name, ref int end)
    {
        var dot = name.LastIndexOf('.', end - 1);
        var label = name.AsSpan(dot + 1, end - dot - 1);
        end = Math.Max(dot, 0);
        return label;
    }
}
