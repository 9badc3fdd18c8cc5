using Kith.Inventory;

namespace Kith.Doctor;

/// <summary>Which names <c>kith doctor</c> checks, and what the inventory says about each.</summary>
public static class DoctorTargets
{
    /// <summary>
    /// The names given, or with none every endpoint and alias of the server and both services, in inventory
    /// order. Wildcard names are left out: no client asks for <c>*.x</c> itself.
    /// </summary>
    /// <exception cref="KithException">A given name is not a DNS name.</exception>
    public static IReadOnlyList<DoctorTarget> Of(FleetInventory inventory, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count > 0)
        {
            return [.. names.Select(n => For(inventory, Normalize(n))).DistinctBy(t => t.Name)];
        }

        return [.. inventory.Services
            .Where(s => s.Kind is ServiceKind.Server or ServiceKind.Both)
            .SelectMany(s => s.Endpoints.Concat(s.Aliases).Where(n => !n.StartsWith("*.", StringComparison.Ordinal)).Select(n => Target(inventory, n, s)))
            .DistinctBy(t => t.Name)];
    }

    /// <summary>"service T on N" for the first service whose certificate carries one of <paramref name="names"/>, or null.</summary>
    public static string? OwnerOf(FleetInventory inventory, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(names);
        var service = inventory.Services.FirstOrDefault(s => inventory.CertificateNames(s).Intersect(names, StringComparer.OrdinalIgnoreCase).Any());
        return service is null ? null : $"service {service.Name} on {service.Machine}";
    }

    private static DoctorTarget For(FleetInventory inventory, string name)
    {
        var exact = inventory.Services.FirstOrDefault(s => inventory.CertificateNames(s).Contains(name, StringComparer.Ordinal));
        var covering = exact ?? inventory.Services.FirstOrDefault(s => inventory.CertificateNames(s).Any(n => Covers(n, name)));
        return Target(inventory, name, covering);
    }

    private static DoctorTarget Target(FleetInventory inventory, string name, Service? service) =>
        new(name, service?.Name, service?.Machine, inventory.AllZones.Any(z => DnsName.IsWithin(name, z)));

    /// <summary>A wildcard covers exactly one left-most label (RFC 6125 §6.4.3).</summary>
    private static bool Covers(string pattern, string name) =>
        pattern.StartsWith("*.", StringComparison.Ordinal)
        && name.IndexOf('.', StringComparison.Ordinal) is > 0 and var dot
        && string.Equals(name[(dot + 1)..], pattern[2..], StringComparison.Ordinal);

    private static string Normalize(string text)
    {
        if (!DnsName.TryNormalize(text, out var name, out var error))
        {
            throw new KithException($"'{text}' is not a DNS name: {error}");
        }

        return name;
    }
}
