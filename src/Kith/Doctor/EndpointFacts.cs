namespace Kith.Doctor;

/// <summary>Everything the checks saw for one endpoint: the input of <see cref="DoctorDiagnosis"/>.</summary>
/// <param name="Tcp">Null when there was no address to connect to.</param>
/// <param name="Tls">Null when TCP did not connect.</param>
/// <param name="Certificate">Null when no certificate was presented.</param>
/// <param name="Agent">The issuing agent's answer, when the diagnosis needed it (<see cref="DoctorDiagnosis.NeedsAgent"/>).</param>
/// <param name="ServedNamesOwner">"service T on N" when the served certificate's names belong to another service of the inventory.</param>
public sealed record EndpointFacts(
    DoctorTarget Target,
    DnsLookup FleetDns,
    DnsLookup SystemDns,
    TcpConnect? Tcp,
    TlsHandshake? Tls,
    CertificateFacts? Certificate,
    bool NameMatches,
    OcspStatus? Ocsp,
    AgentAnswer? Agent,
    string? ServedNamesOwner,
    DoctorContext Context);

/// <summary>What holds for every endpoint of one run.</summary>
/// <param name="InventoryPath">The inventory file, named in "add it to …" advice.</param>
/// <param name="Zones">The fleet zones (domain first).</param>
/// <param name="DnsMachines">The machines with role dns.</param>
/// <param name="RenewAt">ca.renew_at: the fraction of a leaf's lifetime after which its agent renews it.</param>
public sealed record DoctorContext(
    string InventoryPath,
    IReadOnlyList<string> Zones,
    IReadOnlyList<string> DnsMachines,
    double RenewAt,
    TimeSpan Timeout,
    DateTimeOffset Now);
