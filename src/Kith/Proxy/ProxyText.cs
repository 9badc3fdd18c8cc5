namespace Kith.Proxy;

/// <summary>
/// The one rule for every value kith writes into a proxy config (docs/proxy.md, "Injection"): printable ASCII
/// without whitespace and without any character nginx or Caddy gives a meaning (quotes, ';', '{', '}', '$', '#',
/// '\', '`', '&lt;', '&gt;', '|'), and for paths no <c>..</c> segment. The inventory refuses such values already; the renderers
/// check again, so a state from elsewhere cannot inject directives either.
/// </summary>
public static class ProxyText
{
    private const string Forbidden = "\"'`;{}$#\\<>|";

    /// <summary>The first character of <paramref name="value"/> that may not appear in a proxy config, or null when it is clean.</summary>
    public static string? Problem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return "it is empty";
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return c switch
                {
                    ' ' => "it contains a space",
                    '\n' or '\r' => "it contains a line break",
                    '\0' => "it contains a NUL",
                    _ => $"it contains the character U+{(int)c:X4} (only printable ASCII may go into a proxy config)",
                };
            }

            if (Forbidden.Contains(c, StringComparison.Ordinal))
            {
                return $"it contains '{c}', which nginx and Caddy read as syntax";
            }
        }

        return null;
    }

    /// <summary>Like <see cref="Problem"/> for a file path: absolute, and no <c>..</c> segment either.</summary>
    public static string? PathProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Problem(path) is { } problem)
        {
            return problem;
        }

        if (!path.StartsWith('/'))
        {
            return "it is not an absolute path";
        }

        return path.Split('/').Contains("..") ? "it has a '..' segment" : null;
    }

    /// <summary>Returns <paramref name="value"/>, or throws a <see cref="KithException"/> naming <paramref name="what"/> when it is not clean.</summary>
    public static string Require(string value, string what) =>
        Problem(value) is { } problem ? throw new KithException($"{what}: {Shown(value)} cannot go into a proxy config: {problem}") : value;

    /// <summary>Returns <paramref name="path"/>, or throws a <see cref="KithException"/> naming <paramref name="what"/> when it is not a clean absolute path.</summary>
    public static string RequirePath(string path, string what) =>
        PathProblem(path) is { } problem ? throw new KithException($"{what}: {Shown(path)} cannot go into a proxy config: {problem}") : path;

    /// <summary>The value for an error message: control characters escaped, at most 80 characters.</summary>
    private static string Shown(string value)
    {
        var escaped = string.Concat(value.Take(80).Select(c => c is < ' ' or '\u007f' ? $"\\x{(int)c:x2}" : c.ToString()));
        return $"'{escaped}{(value.Length > 80 ? "…" : string.Empty)}'";
    }
}
