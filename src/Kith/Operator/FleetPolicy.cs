using Kith.Files;
using Kith.Inventory;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>How the inventory maps onto certificates: constraints, usages, URLs, file locations.</summary>
public static class FleetPolicy
{
    /// <summary>The agent's plain-HTTP port for CRL and OCSP (DESIGN.md).</summary>
    public const int RevocationPort = 8580;

    /// <summary>The Host CA's nameConstraints for a machine, or null in mode none.</summary>
    public static NameConstraints? ConstraintsFor(FleetInventory inventory, Machine machine)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(machine);
        return inventory.Ca.NameConstraints switch
        {
            NameConstraintMode.None => null,
            NameConstraintMode.Domain => new NameConstraints([inventory.Domain, .. inventory.Zones], machine.Addresses),
            _ => new NameConstraints(PermittedNames(inventory, machine), machine.Addresses),
        };
    }

    /// <summary>
    /// Mode endpoints: the machine's own name, every name of its services and, on an edge, of the public services
    /// it serves for other machines (docs/proxy.md). A wildcard endpoint contributes its base name: a dNSName
    /// subtree already covers every name below it (RFC 5280).
    /// </summary>
    public static IReadOnlyList<string> PermittedNames(FleetInventory inventory, Machine machine)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var names = new List<string> { inventory.MachineFqdn(machine) };
        foreach (var service in inventory.ServicesOn(machine).Concat(EdgeCopiesOn(inventory, machine)))
        {
            foreach (var name in inventory.CertificateNames(service))
            {
                var subtree = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
                if (!names.Any(existing => NameConstraints.IsWithinSubtree(subtree, existing)))
                {
                    names.RemoveAll(existing => NameConstraints.IsWithinSubtree(existing, subtree));
                    names.Add(subtree);
                }
            }
        }

        return names;
    }

    /// <summary>
    /// The public services of other machines that <paramref name="machine"/> serves as their edge: it holds a
    /// certificate of its own for each (the edge copy in the fleet state), so its Host CA must be able to issue those names.
    /// </summary>
    public static IEnumerable<Service> EdgeCopiesOn(FleetInventory inventory, Machine machine)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(machine);
        return inventory.Services.Where(s => s.Edge == machine.Name && s.Machine != machine.Name);
    }

    /// <summary>What the Host CA's permitted list is recorded as in the issuance log.</summary>
    public static IReadOnlyList<string> ConstraintNames(NameConstraints? constraints) => constraints is null
        ? ["(unconstrained)"]
        : [.. constraints.PermittedDnsNames, .. constraints.PermittedAddresses.Select(a => a.ToString())];

    public static CertificateUsage UsageOf(ServiceKind kind) => kind switch
    {
        ServiceKind.Client => CertificateUsage.Client,
        ServiceKind.Both => CertificateUsage.Both,
        _ => CertificateUsage.Server,
    };

    public static CertificateKind KindOf(ServiceKind kind) => kind switch
    {
        ServiceKind.Client => CertificateKind.Client,
        ServiceKind.Both => CertificateKind.Both,
        _ => CertificateKind.Server,
    };

    public static string CrlUrl(FleetInventory inventory, string machine) => CrlUrl(inventory.Domain, machine);

    /// <summary>The Root CRL as a machine's agent serves it (from the fleet state): the CRL DP of that machine's Host CA.</summary>
    public static string RootCrlUrl(FleetInventory inventory, string machine) =>
        $"http://{machine}.{inventory.Domain}:{RevocationPort}/crl/root.crl";

    public static string OcspUrl(FleetInventory inventory, string machine) => OcspUrl(inventory.Domain, machine);

    /// <summary>Where a machine's agent serves its Host CA's CRL (the CRL distribution point of the leaves it signs).</summary>
    public static string CrlUrl(string domain, string machine) =>
        $"http://{machine}.{domain}:{RevocationPort}/crl/{machine}.crl";

    /// <summary>Where a machine's agent answers OCSP for its Host CA's leaves (their AIA).</summary>
    public static string OcspUrl(string domain, string machine) =>
        $"http://{machine}.{domain}:{RevocationPort}/ocsp";

    /// <summary>
    /// The folder of a service's files on its machine: files.dir, else /var/lib/acme/&lt;first name&gt;
    /// ("*" becomes "_", as lego names wildcard folders).
    /// </summary>
    public static string FolderOf(FleetInventory inventory, Service service)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(service);
        if (service.Files?.Dir is { } dir)
        {
            return dir;
        }

        return EndpointFiles.DefaultFolder(inventory.CertificateNames(service)[0]);
    }

    /// <summary>When a certificate valid from notBefore to notAfter is due for renewal.</summary>
    public static DateTimeOffset RenewalTime(DateTimeOffset notBefore, DateTimeOffset notAfter, double fraction) =>
        notBefore + ((notAfter - notBefore) * fraction);
}
