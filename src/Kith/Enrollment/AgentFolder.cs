using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Pki;

namespace Kith.Enrollment;

/// <summary>What <see cref="AgentFolder.Init"/> did.</summary>
public sealed record AgentInitResult(bool KeyCreated, bool RequestWritten, KeyAlgorithm Algorithm);

/// <summary>
/// The agent's folder on its machine (default /var/lib/kith, or $KITH_AGENT_DIR), mode 0700:
/// <code>
/// host-ca.key   the Host CA key (0600): made here, never leaves the machine
/// host-ca.csr   its signing request, for `kith machine sign` on the operator
/// host-ca.pem   the signed Host CA certificate, installed by `kith agent install`
/// root-ca.pem   the fleet's Root certificate, the agent's only trust anchor (`kith agent install --root`)
/// state.json    the last good signed fleet state the agent accepted
/// </code>
/// </summary>
public sealed record AgentFolder(string Path)
{
    public const string EnvironmentVariable = "KITH_AGENT_DIR";

    public const string DefaultPath = "/var/lib/kith";

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string HostCaKey => System.IO.Path.Combine(Path, "host-ca.key");

    public string HostCaRequest => System.IO.Path.Combine(Path, "host-ca.csr");

    public string HostCaCertificate => System.IO.Path.Combine(Path, "host-ca.pem");

    public string RootCertificate => System.IO.Path.Combine(Path, "root-ca.pem");

    public string FleetState => System.IO.Path.Combine(Path, "state.json");

    /// <summary>The agent's store: its issuance log (certificates issued through ACME) and ACME accounts and orders.</summary>
    public string Store => System.IO.Path.Combine(Path, "kith.db");

    public static AgentFolder Resolve(string? option) =>
        new(System.IO.Path.GetFullPath(option ?? Environment.GetEnvironmentVariable(EnvironmentVariable) ?? DefaultPath));

    /// <summary>
    /// Makes the Host CA key (0600, written atomically with that mode from the first byte) and its CSR.
    /// An existing key is kept; its CSR is re-made only when missing.
    /// </summary>
    public AgentInitResult Init(string machine, KeyAlgorithm algorithm)
    {
        var problem = HostName.LabelProblem(machine);
        if (problem is not null)
        {
            throw new KithException($"--machine '{machine}': {problem} (a machine name is one DNS label)");
        }

        if (File.Exists(Path))
        {
            throw new KithException($"{Path}: is a file, expected the agent's folder");
        }

        Directory.CreateDirectory(Path, FolderMode);
        File.SetUnixFileMode(Path, FolderMode);
        if (File.Exists(HostCaKey))
        {
            using var existing = LoadKey();
            var wrote = false;
            if (!File.Exists(HostCaRequest))
            {
                AtomicFile.WriteText(HostCaRequest, HostCa.CreateSigningRequest(machine, existing), AtomicFile.PublicMode);
                wrote = true;
            }

            return new AgentInitResult(false, wrote, Keys.AlgorithmOf(existing));
        }

        using var key = Keys.Create(algorithm);
        AtomicFile.WriteText(HostCaKey, PrivateKeyPem.Export(key), AtomicFile.PrivateMode);
        AtomicFile.WriteText(HostCaRequest, HostCa.CreateSigningRequest(machine, key), AtomicFile.PublicMode);
        return new AgentInitResult(true, true, algorithm);
    }

    /// <summary>
    /// Installs a signed Host CA certificate as host-ca.pem after checking that it certifies this
    /// machine's key, is a CA with pathLen 0, and (with <paramref name="rootPath"/>) chains to that Root.
    /// Returns the installed certificate.
    /// </summary>
    public X509Certificate2 Install(string certificatePath, string? rootPath, DateTimeOffset now)
    {
        if (!File.Exists(HostCaKey))
        {
            throw new KithException($"{HostCaKey}: no Host CA key on this machine; run `kith agent init --machine NAME` first");
        }

        var certificate = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(certificatePath)[0]);
        return Install(certificate, certificatePath, rootPath, writeRoot: true, now);
    }

    /// <summary>
    /// Installs a Host CA certificate found in a fleet state (the agent, docs/agent.md "Host CA renewal") with
    /// the same checks as <see cref="Install(string, string?, DateTimeOffset)"/>, chaining to the installed
    /// root-ca.pem, which it never rewrites. Returns the installed certificate.
    /// </summary>
    /// <exception cref="KithException">The certificate is for another key, not a Host CA, or does not chain.</exception>
    public X509Certificate2 InstallFromState(byte[] der, string source, DateTimeOffset now)
    {
        var certificate = X509CertificateLoader.LoadCertificate(der);
        return Install(certificate, source, RootCertificate, writeRoot: false, now);
    }

    private X509Certificate2 Install(X509Certificate2 certificate, string certificatePath, string? rootPath, bool writeRoot, DateTimeOffset now)
    {
        try
        {
            using (var key = LoadKey())
            {
                var mine = key.ExportSubjectPublicKeyInfo();
                var theirs = certificate.PublicKey.ExportSubjectPublicKeyInfo();
                if (!mine.AsSpan().SequenceEqual(theirs))
                {
                    throw new KithException($"{certificatePath}: certifies key SHA256:{Fingerprint(theirs)}, not this machine's Host CA key {HostCaKey} (SHA256:{Fingerprint(mine)}); it was signed for another CSR");
                }
            }

            var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (basic is not { CertificateAuthority: true, HasPathLengthConstraint: true, PathLengthConstraint: 0 })
            {
                throw new KithException($"{certificatePath}: is not a Host CA certificate (needs CA:true with pathLen 0)");
            }

            byte[]? root = null;
            if (rootPath is not null)
            {
                root = CheckChain(certificate, certificatePath, rootPath, now);
            }

            AtomicFile.WriteText(HostCaCertificate, Pem.Encode("CERTIFICATE", certificate.RawData), AtomicFile.PublicMode);
            if (root is not null && writeRoot)
            {
                // The agent's trust anchor for fleet states: it must live on the machine.
                AtomicFile.WriteText(RootCertificate, Pem.Encode("CERTIFICATE", root), AtomicFile.PublicMode);
            }
            return certificate;
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private static byte[] CheckChain(X509Certificate2 certificate, string certificatePath, string rootPath, DateTimeOffset now)
    {
        using var root = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(rootPath)[0]);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        var ok = chain.Build(certificate)
            && chain.ChainElements.Count == 2
            && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData);
        if (!ok)
        {
            var status = string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct());
            throw new KithException($"{certificatePath}: does not chain to the Root in {rootPath}{(status.Length > 0 ? $" ({status})" : string.Empty)}");
        }

        return root.RawData;
    }

    /// <summary>The Host CA private key, for the agent process that signs with it.</summary>
    public AsymmetricAlgorithm LoadHostCaKey() => LoadKey();

    private AsymmetricAlgorithm LoadKey()
    {
        var pem = InputFile.ReadText(HostCaKey);
        try
        {
            return PrivateKeyPem.Import(pem, HostCaKey, isRsa: false);
        }
        catch (KithException)
        {
            return PrivateKeyPem.Import(pem, HostCaKey, isRsa: true);
        }
    }

    private static string Fingerprint(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));
}
