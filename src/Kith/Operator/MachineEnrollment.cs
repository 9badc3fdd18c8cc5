using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Inventory;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>What <c>kith machine sign</c> did.</summary>
public sealed record MachineSignResult(string CertificatePath, DateTimeOffset NotAfter, string KeyFingerprint, bool RemovedOperatorKey);

/// <summary>
/// Enrolls a machine whose Host CA key was made on the machine (<c>kith agent init</c>): checks its CSR,
/// signs it through <see cref="HostCaSigner"/> (the path apply uses), and stores the CSR without a key, which
/// makes the machine agent-managed from then on.
/// </summary>
public static class MachineEnrollment
{
    /// <summary>
    /// Everything that needs no Root key is checked first (machine in the inventory, a valid CSR, a key
    /// that is neither the Root's nor another machine's Host CA key); a refusal stores nothing. Only then
    /// is the Root opened.
    /// </summary>
    public static async Task<MachineSignResult> SignAsync(FleetInventory inventory, StateFolder state, ICertificateStore store, Passphrase passphrase, TimeProvider time, string machineName, string csrPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(store);
        var publicKey = CheckRequest(inventory, state, machineName, csrPath, out var csrPem);
        await CheckNotAnotherMachinesKeyAsync(store, machineName, publicKey, csrPath, cancellationToken);

        using (var root = RootStore.Open(state, passphrase))
        {
            Directory.CreateDirectory(state.HostFolder(machineName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await new HostCaSigner(inventory, state, store, time).SignAsync(root, [(machineName, publicKey)], cancellationToken);
        }

        // The stored CSR without a key is what makes the machine agent-managed (StateFolder.IsAgentManaged).
        AtomicFile.WriteText(state.HostCaRequest(machineName), csrPem, AtomicFile.PublicMode);
        var removed = File.Exists(state.HostCaKey(machineName));
        if (removed)
        {
            // The all-in-one key is superseded by the machine's own: no Host CA key stays with the operator.
            File.Delete(state.HostCaKey(machineName));
            AtomicFile.FlushFolder(state.HostFolder(machineName));
        }

        using var certificate = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(state.HostCaCertificate(machineName))[0]);
        return new MachineSignResult(state.HostCaCertificate(machineName), certificate.NotAfter.ToUniversalTime(), Fingerprint(publicKey), removed);
    }

    private static byte[] CheckRequest(FleetInventory inventory, StateFolder state, string machineName, string csrPath, out string csrPem)
    {
        if (inventory.FindMachine(machineName) is null)
        {
            throw new KithException($"machine '{machineName}': not in the inventory (machines: {string.Join(", ", inventory.Machines.Select(m => m.Name))}); add it to kith.yaml first");
        }

        csrPem = InputFile.ReadText(csrPath);
        var publicKey = HostCa.ReadSigningRequest(csrPem, csrPath);
        var problem = PublicKeyCheck.Problem(publicKey);
        if (problem is not null)
        {
            throw new KithException($"{csrPath}: the key {problem}");
        }

        using var root = RootStore.LoadCertificate(state);
        if (root.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey))
        {
            throw new KithException($"{csrPath}: requests a certificate for the Root CA's own key; make the Host CA key on the machine with `kith agent init`");
        }

        return publicKey;
    }

    private static async Task CheckNotAnotherMachinesKeyAsync(ICertificateStore store, string machineName, byte[] publicKey, string csrPath, CancellationToken cancellationToken)
    {
        var hostCas = await store.ListAsync(new CertificateQuery(Kind: CertificateKind.HostCa, IncludeDer: true), cancellationToken);
        foreach (var record in hostCas.Where(r => r.Machine != machineName))
        {
            if (record.Der is not { } der)
            {
                continue;
            }

            using var certificate = X509CertificateLoader.LoadCertificate(der);
            if (certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey))
            {
                throw new KithException($"{csrPath}: its key is already the Host CA key of machine '{record.Machine}'; each machine needs its own key (run `kith agent init` on '{machineName}')");
            }
        }
    }

    private static string Fingerprint(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));
}
