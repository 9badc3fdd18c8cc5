using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Inventory;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>
/// Signs Host CA certificates with the (already opened) Root: each with its machine's constraints from
/// the inventory, all logged in one transaction, then written to <c>hosts/&lt;machine&gt;/host-ca.pem</c>
/// and flushed with one syncfs. The one code path for <c>apply</c> and <c>machine sign</c>.
/// </summary>
public sealed class HostCaSigner(FleetInventory inventory, StateFolder state, ICertificateStore store, TimeProvider time)
{
    public async Task SignAsync(CertificateAuthority root, IReadOnlyList<(string Machine, byte[] PublicKey)> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(requests);
        await RefuseBlockedKeysAsync(requests, cancellationToken);
        var signed = new List<(string Machine, X509Certificate2 Certificate)>(requests.Count);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var records = new List<CertificateRecord>(requests.Count);
                foreach (var (machineName, publicKey) in requests)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var machine = inventory.FindMachine(machineName) ?? throw new KithException($"machine '{machineName}': not in the inventory");
                    var constraints = FleetPolicy.ConstraintsFor(inventory, machine);
                    var now = time.GetUtcNow();
                    var serial = SerialNumber.New();
                    var certificate = HostCa.Sign(root, machine.Name, inventory.Domain, publicKey, constraints, now - CertificateValidity.Backdate, Min(now + inventory.Ca.HostCaValidity, root.NotAfter), serial, FleetPolicy.RootCrlUrl(inventory, machine.Name));
                    signed.Add((machine.Name, certificate));
                    records.Add(new CertificateRecord("root", SerialNumber.ToHex(serial), CertificateKind.HostCa, FleetPolicy.ConstraintNames(constraints), machine.Name, null, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), Der: certificate.RawData));
                }

                try
                {
                    await store.RecordAsync(records, cancellationToken);
                    break;
                }
                catch (DuplicateSerialException) when (attempt < 3)
                {
                    // 126-bit random serials collide essentially never; the store's unique index is the
                    // check, and a collision means signing the batch again with fresh serials.
                    DisposeAll(signed);
                }
            }

            foreach (var (machine, certificate) in signed)
            {
                HostCaFiles.SaveCertificate(state, machine, certificate);
            }

            UnixFiles.SyncFileSystem(state.Path);
        }
        finally
        {
            DisposeAll(signed);
        }
    }

    /// <summary>A key revoked with its Host CA (<c>kith revoke --machine</c>) is never certified again; nothing is signed then.</summary>
    private async Task RefuseBlockedKeysAsync(IReadOnlyList<(string Machine, byte[] PublicKey)> requests, CancellationToken cancellationToken)
    {
        foreach (var (machine, publicKey) in requests)
        {
            if (await store.IsKeyBlockedAsync(publicKey, cancellationToken))
            {
                throw new KithException($"machine '{machine}': its Host CA key was revoked (`kith revoke --machine {machine}`) and is blocked; re-enroll it with a new key (on the machine: remove host-ca.key, `kith agent init`, then `kith machine sign {machine}` here) or remove it from {inventory.SourcePath}");
            }
        }
    }

    private static void DisposeAll(List<(string Machine, X509Certificate2 Certificate)> signed)
    {
        foreach (var (_, certificate) in signed)
        {
            certificate.Dispose();
        }

        signed.Clear();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
