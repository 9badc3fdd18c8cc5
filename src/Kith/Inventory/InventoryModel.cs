using System.Net;
using Kith.Pki;

namespace Kith.Inventory;

/// <summary>How a Host CA's nameConstraints extension is filled (see docs/pki.md).</summary>
public enum NameConstraintMode
{
    /// <summary>Permitted DNS names are the machine's endpoints, aliases and &lt;machine&gt;.&lt;domain&gt;.</summary>
    Endpoints,

    /// <summary>Permitted DNS names are the inventory's zones (domain plus extra zones).</summary>
    Domain,

    /// <summary>No nameConstraints extension at all.</summary>
    None,
}

/// <summary>What a service's certificate is for: its extended key usage.</summary>
public enum ServiceKind
{
    Server,
    Client,
    Both,
}

/// <summary>The <c>ca:</c> block of kith.yaml, with defaults applied.</summary>
public sealed record CaSettings(
    KeyAlgorithm Key,
    TimeSpan RootValidity,
    TimeSpan HostCaValidity,
    TimeSpan LeafValidity,
    double RenewalFraction,
    NameConstraintMode NameConstraints)
{
    public static CaSettings Default { get; } = new(
        KeyAlgorithm.EcdsaP256,
        RootValidity: TimeSpan.FromDays(3650),
        HostCaValidity: TimeSpan.FromDays(365),
        LeafValidity: TimeSpan.FromDays(7),
        RenewalFraction: 2.0 / 3.0,
        NameConstraints: NameConstraintMode.Endpoints);
}

/// <summary>One machine of the fleet.</summary>
public sealed record Machine(
    string Name,
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Roles);

/// <summary>Where a service's certificate files go and who owns them. Null fields take the defaults.</summary>
public sealed record ServiceFiles(
    string? Dir,
    string? Cert,
    string? Key,
    string? Fullchain,
    string? Owner,
    string? Group,
    string? Mode);

/// <summary>A service: the endpoints (DNS names) it exports from one machine.</summary>
public sealed record Service(
    string Name,
    string Machine,
    IReadOnlyList<string> Endpoints,
    IReadOnlyList<string> Aliases,
    ServiceKind Kind,
    ServiceFiles? Files,
    IReadOnlyList<string> Reload,
    string? Upstream,
    string? Proxy)
{
    /// <summary>The proxy asks clients for a certificate and lets in only those chaining to the kith Root (mTLS).</summary>
    public bool Mtls { get; init; }

    /// <summary>
    /// The edge machine (role <c>edge</c>) that serves this service to the outside (<c>public: true</c>) and forwards
    /// over the VPN to this service's proxy; null when the service is not public.
    /// </summary>
    public string? Edge { get; init; }

    /// <summary>Served to the outside through an edge machine.</summary>
    public bool Public => Edge is not null;
}

/// <summary>
/// A loaded and validated kith.yaml. Immutable: every name in it is lower-case ASCII (IDNs are
/// already in punycode), every reference resolves, and no endpoint belongs to two machines.
/// </summary>
public sealed record FleetInventory(
    string SourcePath,
    string Domain,
    IReadOnlyList<string> Zones,
    CaSettings Ca,
    IReadOnlyList<Machine> Machines,
    IReadOnlyList<Service> Services)
{
    /// <summary>The <c>dns:</c> block: the zones' default TTL and extra records.</summary>
    public DnsSettings Dns { get; init; } = DnsSettings.Default;

    /// <summary>The <c>proxy:</c> block: ports, trusted VPN ranges, HTTP/3, 0-RTT, kTLS of the generated proxy configs.</summary>
    public ProxySettings Proxy { get; init; } = ProxySettings.Default;

    /// <summary>The machine's own name in the fleet domain, e.g. <c>storage.home.arpa</c>.</summary>
    public string MachineFqdn(Machine machine) => $"{machine.Name}.{Domain}";

    /// <summary>Every zone names may live in: the domain first, then the extra <see cref="Zones"/>.</summary>
    public IReadOnlyList<string> AllZones => [Domain, .. Zones];

    // Indexes built on first use (fleets have thousands of services). Each remembers the list it was
    // built from, so a copy made with `with { Services = … }` never answers from a stale index; each is
    // one reference, so threads racing to build one at worst build it twice.
    private Indexed<Machine, Dictionary<string, Machine>>? machinesByName;
    private Indexed<Service, Dictionary<string, Service>>? servicesByName;
    private Indexed<Service, ILookup<string, Service>>? servicesByMachine;

    public Machine? FindMachine(string name)
    {
        if (machinesByName?.Source != Machines)
        {
            machinesByName = new(Machines, Machines.ToDictionary(m => m.Name));
        }

        return machinesByName.Index.GetValueOrDefault(name);
    }

    public Service? FindService(string name)
    {
        if (servicesByName?.Source != Services)
        {
            servicesByName = new(Services, Services.ToDictionary(s => s.Name));
        }

        return servicesByName.Index.GetValueOrDefault(name);
    }

    /// <summary>The machine's services, in inventory order.</summary>
    public IEnumerable<Service> ServicesOn(Machine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        if (servicesByMachine?.Source != Services)
        {
            servicesByMachine = new(Services, Services.ToLookup(s => s.Machine));
        }

        return servicesByMachine.Index[machine.Name];
    }

    /// <summary>
    /// The DNS names a service's certificate carries: its endpoints then aliases; a client service
    /// without endpoints is named <c>&lt;service&gt;.&lt;machine&gt;.&lt;domain&gt;</c>.
    /// </summary>
    public IReadOnlyList<string> CertificateNames(Service service)
    {
        if (service.Endpoints.Count == 0 && service.Aliases.Count == 0)
        {
            return [$"{service.Name}.{service.Machine}.{Domain}"];
        }

        return [.. service.Endpoints, .. service.Aliases];
    }
}

/// <summary>An index over a list, remembering which list it was built from.</summary>
internal sealed record Indexed<TItem, TIndex>(IReadOnlyList<TItem> Source, TIndex Index);
