namespace Kith.Dns.Update;

/// <summary>Name comparisons for updates: DNS names compare case-insensitively and with or without the root dot.</summary>
internal static class DnsNames
{
    public static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();

    /// <summary>Whether <paramref name="name"/> is <paramref name="apex"/> or lies below it (both normalized).</summary>
    public static bool IsAtOrBelow(string name, string apex) =>
        name == apex || (name.Length > apex.Length && name.EndsWith(apex, StringComparison.Ordinal) && name[name.Length - apex.Length - 1] == '.');
}
