using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Inventory;
using Kith.Pki;

namespace Kith.Operator;

/// <summary>
/// A machine's Host CA as kept in the operator's state folder. All-in-one mode: key (0600, made here,
/// never re-made while it exists), CSR, and certificate. Agent-managed (enrolled with
/// <c>kith machine sign</c>): the CSR and the certificate only; the key lives on the machine.
/// </summary>
public static class HostCaFiles
{
    /// <summary>
    /// The CSR of the machine's Host CA key: an agent-managed machine's stored CSR as it is; in all-in-one
    /// mode the CSR of the key here, making key and CSR first when there are none.
    /// </summary>
    public static string EnsureSigningRequest(StateFolder state, string machine, KeyAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(state);
        var keyPath = state.HostCaKey(machine);
        var csrPath = state.HostCaRequest(machine);
        if (state.IsAgentManaged(machine))
        {
            // Never make a key here for a machine whose key lives on the machine.
            return InputFile.ReadText(csrPath);
        }

        if (!File.Exists(keyPath))
        {
            Directory.CreateDirectory(state.HostFolder(machine));
            File.SetUnixFileMode(state.HostFolder(machine), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var key = Keys.Create(algorithm);
            // Not flushed one by one: the caller flushes the file system once for a whole batch.
            AtomicFile.WriteText(keyPath, PrivateKeyPem.Export(key), AtomicFile.PrivateMode, durable: false);
            AtomicFile.WriteText(csrPath, HostCa.CreateSigningRequest(machine, key), AtomicFile.PublicMode, durable: false);
        }
        else if (!File.Exists(csrPath))
        {
            using var key = LoadKey(state, machine, isRsa: algorithm == KeyAlgorithm.Rsa3072);
            AtomicFile.WriteText(csrPath, HostCa.CreateSigningRequest(machine, key), AtomicFile.PublicMode, durable: false);
        }

        return InputFile.ReadText(csrPath);
    }

    /// <summary>Writes the Host CA certificate atomically; the caller flushes the file system afterwards.</summary>
    public static void SaveCertificate(StateFolder state, string machine, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(certificate);
        AtomicFile.WriteText(state.HostCaCertificate(machine), Pem.Encode("CERTIFICATE", certificate.RawData), AtomicFile.PublicMode, durable: false);
    }

    /// <summary>Opens the machine's Host CA for issuing, with its CRL and OCSP URLs.</summary>
    public static CertificateAuthority Open(StateFolder state, FleetInventory inventory, string machine, byte[] rootPublicKey)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(inventory);
        var certificatePath = state.HostCaCertificate(machine);
        if (!File.Exists(certificatePath))
        {
            throw new KithException($"machine '{machine}' has no Host CA yet: run `kith apply` first");
        }

        if (state.IsAgentManaged(machine))
        {
            throw new KithException($"machine '{machine}': its Host CA key lives on the machine (agent-managed), so its certificates are issued there, not by the operator");
        }

        var certificate = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(certificatePath)[0]);
        var key = LoadKey(state, machine, certificate.PublicKey.Oid.Value == "1.2.840.113549.1.1.1");
        return new CertificateAuthority(
            machine,
            certificate,
            key,
            parentKeys: [rootPublicKey],
            crlUrl: FleetPolicy.CrlUrl(inventory, machine),
            ocspUrl: FleetPolicy.OcspUrl(inventory, machine));
    }

    private static AsymmetricAlgorithm LoadKey(StateFolder state, string machine, bool isRsa) =>
        PrivateKeyPem.Import(InputFile.ReadText(state.HostCaKey(machine)), state.HostCaKey(machine), isRsa);
}
