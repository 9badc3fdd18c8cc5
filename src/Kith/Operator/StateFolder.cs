namespace Kith.Operator;

/// <summary>
/// The operator's state folder (default ~/.kith, or $KITH_STATE):
/// <code>
/// root/root-ca.pem, root/root-ca.key (encrypted)   the Root CA
/// root/root-crl.pem                                the Root's CRL (docs/revoke.md)
/// kith.db                                          the issuance log (SQLite)
/// hosts/&lt;machine&gt;/host-ca.{key,csr,pem}          Host CAs (no key when agent-managed)
/// out/&lt;machine&gt;/...                               each machine's files, laid out from its file-system root
/// publisher/publisher.{key,pem}                    the fleet-state publisher key (0600) and its Root-signed certificate
/// fleet-state.json                                 the signed fleet state apply writes (docs/fleet-state.md)
/// </code>
/// </summary>
public sealed record StateFolder(string Path)
{
    public const string EnvironmentVariable = "KITH_STATE";

    public static StateFolder Resolve(string? option)
    {
        var path = option
            ?? Environment.GetEnvironmentVariable(EnvironmentVariable)
            ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kith");
        return new StateFolder(System.IO.Path.GetFullPath(path));
    }

    public string RootFolder => Combine("root");

    public string RootCertificate => Combine("root", "root-ca.pem");

    public string RootKey => Combine("root", "root-ca.key");

    public string RootCrl => Combine("root", "root-crl.pem");

    public string Database => Combine("kith.db");

    public string HostFolder(string machine) => Combine("hosts", machine);

    public string HostCaKey(string machine) => Combine("hosts", machine, "host-ca.key");

    public string HostCaRequest(string machine) => Combine("hosts", machine, "host-ca.csr");

    public string HostCaCertificate(string machine) => Combine("hosts", machine, "host-ca.pem");

    /// <summary>The CRL of an all-in-one machine's Host CA, signed here (an agent signs its own).</summary>
    public string HostCaCrl(string machine) => Combine("hosts", machine, "host-ca-crl.pem");

    /// <summary>
    /// An agent-managed machine: its CSR is stored here but no key (<c>kith machine sign</c> stored the
    /// machine's CSR). Its Host CA key lives on the machine; the operator only (re-)signs the certificate.
    /// </summary>
    public bool IsAgentManaged(string machine) => File.Exists(HostCaRequest(machine)) && !File.Exists(HostCaKey(machine));

    public string OutputFolder => Combine("out");

    public string PublisherFolder => Combine("publisher");

    public string PublisherKey => Combine("publisher", "publisher.key");

    public string PublisherCertificate => Combine("publisher", "publisher.pem");

    public string FleetState => Combine("fleet-state.json");

    public bool HasRoot => File.Exists(RootCertificate) && File.Exists(RootKey);

    private string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
}
