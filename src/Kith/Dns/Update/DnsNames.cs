namespace Kith.Dns.Update;

/// <summary>Names in updates compare lower-case and without the root dot (<c>Kith.Inventory.DnsName.IsWithin</c> places them in zones).</summary>
internal static class DnsNames
{
    public static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();
}
