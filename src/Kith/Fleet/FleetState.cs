namespace Kith.Fleet;

/// <summary>
/// The fleet state (docs/fleet-state.md): what every agent needs to know about the fleet, published by
/// the operator, signed by the publisher key. <see cref="Version"/> only ever grows.
/// </summary>
/// <param name="LeafValiditySeconds">The inventory's ca.leaf_validity in seconds; null in states written before it existed (then 7 days, see <see cref="LeafPolicy"/>).</param>
/// <param name="RenewAt">The inventory's ca.renew_at, a fraction in (0, 1); null in states written before it existed (then 2/3).</param>
/// <param name="RootCrl">The Root's current CRL (PEM), which agents serve at /crl/root.crl; null before the operator has one.</param>
/// <param name="Revocations">Leaf revocations the operator asks agents to carry out (docs/revoke.md); null in states written before they existed.</param>
/// <param name="DnsTtl">The inventory's dns.ttl in seconds, the default TTL of the fleet's DNS zones; null in states written before it existed (then 300).</param>
/// <param name="Zones">The inventory's extra zones (the domain is always one); null in states written before they existed (then only the domain).</param>
/// <param name="Proxy">The inventory's proxy: block; null in states written before it existed (then the defaults).</param>
public sealed record FleetState(
    long Version,
    string Domain,
    DateTimeOffset IssuedAt,
    IReadOnlyList<FleetMachine> Machines,
    IReadOnlyList<FleetDnsRecord> DnsRecords,
    IReadOnlyList<FleetHostCa> HostCas,
    string? RootCrl,
    string TrustBundle,
    long? LeafValiditySeconds = null,
    double? RenewAt = null,
    IReadOnlyList<FleetRevocationRequest>? Revocations = null,
    int? DnsTtl = null,
    IReadOnlyList<string>? Zones = null,
    FleetProxySettings? Proxy = null);

/// <summary>The inventory's <c>proxy:</c> block as the agents render it (docs/proxy.md).</summary>
/// <param name="RealIpFrom">Trusted networks in CIDR form (<c>100.64.0.0/10</c>).</param>
/// <param name="Http3"><c>auto</c>, <c>on</c> or <c>off</c>.</param>
public sealed record FleetProxySettings(
    IReadOnlyList<string> RealIpFrom,
    int HttpsPort,
    int HttpPort,
    string Http3,
    bool EarlyData,
    bool Ktls);

/// <summary>One machine: its addresses, roles, tags and the endpoints its services export.</summary>
public sealed record FleetMachine(
    string Name,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Tags,
    IReadOnlyList<FleetEndpoint> Endpoints);

/// <summary>
/// One service on a machine: the names its certificate carries, its kind (server, client, both), and how
/// the machine's agent delivers its files (docs/reconcile.md). The delivery fields are optional so a state
/// written before they existed still reads: a null <see cref="Folder"/> means the default folder.
/// </summary>
/// <param name="Folder">The endpoint's folder on the machine (files.dir, else /var/lib/acme/&lt;first name&gt;).</param>
/// <param name="Cert">An extra copy of cert.pem at this path, or null.</param>
/// <param name="Key">An extra copy of key.pem at this path, or null.</param>
/// <param name="Fullchain">An extra copy of fullchain.pem at this path, or null.</param>
/// <param name="Owner">The files' owner (an account name), or null for the agent's.</param>
/// <param name="Group">The files' group, or null for the agent's.</param>
/// <param name="Mode">The key files' mode in octal ("0640"), or null for 0600.</param>
/// <param name="Reload">The argv run (no shell) after new files are written, or null/empty for none.</param>
/// <param name="Upstream">Where the proxy forwards to (an absolute http/https URL), or null.</param>
/// <param name="Proxy">Which proxy serves it on this machine: <c>nginx</c>, <c>caddy</c>, or null for none.</param>
/// <param name="Mtls">True when the proxy requires a client certificate chaining to the kith Root; null means false.</param>
/// <param name="Edge">On the service's own machine: the edge machine that serves it to the outside, or null when not public.</param>
/// <param name="Backend">
/// On an edge machine: the machine this endpoint is forwarded to over the VPN (its proxy's HTTPS port, TLS verified
/// against the Root). Such an entry is the edge's own copy of a public service: same names, a certificate from the
/// edge's Host CA, default folder, no reload, no upstream.
/// </param>
public sealed record FleetEndpoint(
    string Service,
    IReadOnlyList<string> Names,
    string Kind,
    string? Folder = null,
    string? Cert = null,
    string? Key = null,
    string? Fullchain = null,
    string? Owner = null,
    string? Group = null,
    string? Mode = null,
    IReadOnlyList<string>? Reload = null,
    string? Upstream = null,
    string? Proxy = null,
    bool? Mtls = null,
    string? Edge = null,
    string? Backend = null);

/// <summary>
/// One DNS record: A or AAAA for a machine's addresses, CNAME from an endpoint to its machine, or one of the
/// inventory's extra records (dns.records). <see cref="Value"/> is the presentation form without quotes:
/// an address for A/AAAA, the target name for CNAME, the raw text for TXT, <c>priority weight port target</c> for SRV.
/// </summary>
/// <param name="Ttl">The record's TTL in seconds, or null for the zone default (<see cref="FleetState.DnsTtl"/>).</param>
public sealed record FleetDnsRecord(string Name, string Type, string Value, int? Ttl = null);

/// <summary>A machine's Host CA certificate, PEM.</summary>
public sealed record FleetHostCa(string Machine, string Certificate);

/// <summary>
/// A revocation request (<c>kith revoke SERIAL --machine M</c> or <c>kith revoke --name NAME</c> on the operator)
/// for a certificate that machine <see cref="Machine"/>'s agent issued: by serial, or by name every certificate
/// with that name issued no later than <see cref="RequestedAt"/>. Exactly one of the two is set.
/// </summary>
/// <param name="Serial">Lower-case hex serial of the certificate, or null.</param>
/// <param name="Name">A DNS name (an endpoint or alias), or null.</param>
/// <param name="Reason">The reason's name as on the command line (<c>keyCompromise</c>, <c>superseded</c>, …).</param>
public sealed record FleetRevocationRequest(string Machine, string? Serial, string? Name, string Reason, DateTimeOffset RequestedAt);
