using System.Security.Cryptography.X509Certificates;
using Kith.Inventory;
using Kith.Pki;
using Kith.Revocation;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>What <c>kith revoke</c> did on the operator, one line per step, for the command to print.</summary>
public sealed record OperatorRevocationResult(IReadOnlyList<string> Done);

/// <summary>
/// <c>kith revoke</c> on the operator (docs/revoke.md). A certificate in the operator's own store (a Host CA, a
/// <c>kith issue</c> certificate, an all-in-one machine's leaf) is revoked there, and the CRL of its issuer is
/// signed again: the Root CRL (it needs the Root passphrase), or an all-in-one Host CA's CRL. A leaf an agent
/// issued is not in this store: its revocation becomes a request that travels to that agent in the fleet state.
/// The caller writes the fleet state afterwards (<see cref="FleetStatePublication.WriteAsync"/>).
/// </summary>
public sealed class OperatorRevocation(FleetInventory inventory, StateFolder state, ICertificateStore store, SqliteRevocationRequestStore requests, Passphrase passphrase, TimeProvider time)
{
    /// <summary>A Host CA may also be revoked for caCompromise.</summary>
    private static readonly IReadOnlyList<RevocationReason> HostCaReasons = [.. RevocationReasonNames.ForLeaves, RevocationReason.CaCompromise];

    private readonly List<string> done = [];

    /// <summary>
    /// Revokes every unexpired Host CA certificate of the machine (a re-signed Host CA keeps its key, so an older
    /// certificate would still vouch for it), blocks the key, and signs the Root CRL at once.
    /// </summary>
    public async Task<OperatorRevocationResult> RevokeMachineAsync(string machine, string? reasonName, CancellationToken cancellationToken = default)
    {
        var reason = RevocationReasonNames.Parse(reasonName, HostCaReasons);
        var now = time.GetUtcNow();
        var hostCas = (await store.ListAsync(new CertificateQuery(Issuer: "root", Machine: machine, Kind: CertificateKind.HostCa, IncludeRevoked: false, IncludeDer: true, UnexpiredAt: now), cancellationToken)).ToList();
        if (hostCas.Count == 0)
        {
            var known = inventory.FindMachine(machine) is not null ? "is in the inventory but" : "is not in the inventory and";
            throw new KithException($"machine '{machine}': {known} has no unrevoked Host CA certificate in the operator's store, so there is nothing to revoke (`kith list --all --machine {machine}` shows its certificates)");
        }

        await RevokeHostCasAsync(machine, hostCas, reason, now, cancellationToken);
        return new OperatorRevocationResult(done);
    }

    /// <summary>
    /// Revokes the certificate with this serial: in the operator's store when it is there; else, with
    /// <paramref name="machine"/> naming an agent-managed machine, as a request to that machine's agent.
    /// </summary>
    public async Task<OperatorRevocationResult> RevokeSerialAsync(string serialText, string? machine, string? reasonName, CancellationToken cancellationToken = default)
    {
        var serial = NormalizeSerial(serialText);
        var now = time.GetUtcNow();
        var matches = (await store.ListAsync(new CertificateQuery(), cancellationToken))
            .Where(r => SameSerial(r.SerialHex, serial) && (machine is null || r.Issuer == machine || (r.Issuer == "root" && r.Machine == machine)))
            .ToList();
        if (matches.Count > 1)
        {
            throw new KithException($"serial {serialText}: {matches.Count} certificates in the operator's store have it (issuers {string.Join(", ", matches.Select(m => m.Issuer))}); say which with --machine M");
        }

        if (matches.Count == 0)
        {
            if (machine is null)
            {
                throw new KithException($"serial {serialText}: not in the operator's store; a certificate an agent issued is revoked by that agent: add --machine M (the machine whose agent issued it)");
            }

            var reasonForRequest = RevocationReasonNames.Parse(reasonName, RevocationReasonNames.ForLeaves);
            RequireAgentMachine(machine, $"serial {serialText}");
            await RequestAsync(new RevocationRequest(machine, serial, null, reasonForRequest, now), cancellationToken);
            return new OperatorRevocationResult(done);
        }

        var record = (await store.FindAsync(matches[0].Issuer, matches[0].SerialHex, cancellationToken))!;
        switch (record.Kind)
        {
            case CertificateKind.RootCa:
                throw new KithException($"serial {serialText}: is the Root CA itself, which cannot be revoked; a compromised Root means a new fleet (`kith init` with a new state folder)");
            case CertificateKind.HostCa:
                var hostCaReason = RevocationReasonNames.Parse(reasonName, HostCaReasons);
                if (record.IsRevoked)
                {
                    done.Add($"already revoked  Host CA of {record.Machine} (serial {record.SerialHex}) since {record.RevokedAt:u}");
                    return new OperatorRevocationResult(done);
                }

                await RevokeHostCasAsync(record.Machine ?? "?", [record], hostCaReason, now, cancellationToken);
                return new OperatorRevocationResult(done);
            default:
                var leafReason = RevocationReasonNames.Parse(reasonName, RevocationReasonNames.ForLeaves);
                await RevokeOperatorLeavesAsync(record.Issuer, [record], leafReason, now, cancellationToken);
                return new OperatorRevocationResult(done);
        }
    }

    /// <summary>
    /// Revokes the certificates carrying a DNS name: on an agent-managed machine as a request to its agent (every
    /// certificate with the name issued until now); on an all-in-one machine in the operator's store.
    /// </summary>
    public async Task<OperatorRevocationResult> RevokeNameAsync(string nameText, string? machine, string? reasonName, CancellationToken cancellationToken = default)
    {
        var reason = RevocationReasonNames.Parse(reasonName, RevocationReasonNames.ForLeaves);
        var name = nameText.Trim().TrimEnd('.').ToLowerInvariant();
        var services = inventory.Services
            .Where(s => inventory.CertificateNames(s).Contains(name, StringComparer.Ordinal) && (machine is null || s.Machine == machine))
            .ToList();
        if (services.Count == 0)
        {
            var where = machine is null ? "no service in the inventory" : $"no service of machine '{machine}' in the inventory";
            throw new KithException($"name '{nameText}': {where} ({inventory.SourcePath}) has it as an endpoint or alias; revoke a certificate by serial instead (`kith revoke SERIAL --machine M`)");
        }

        var now = time.GetUtcNow();
        foreach (var owner in services.Select(s => s.Machine).Distinct(StringComparer.Ordinal))
        {
            if (state.IsAgentManaged(owner))
            {
                await RequestAsync(new RevocationRequest(owner, null, name, reason, now), cancellationToken);
                continue;
            }

            var issued = (await store.ListAsync(new CertificateQuery(Issuer: owner, IncludeRevoked: false, UnexpiredAt: now), cancellationToken))
                .Where(r => r.Names.Contains(name, StringComparer.Ordinal))
                .ToList();
            if (issued.Count == 0)
            {
                done.Add($"nothing to revoke  no unrevoked certificate of {owner} names {name}");
                continue;
            }

            await RevokeOperatorLeavesAsync(owner, issued, reason, now, cancellationToken);
        }

        return new OperatorRevocationResult(done);
    }

    private async Task RevokeHostCasAsync(string machine, IReadOnlyList<CertificateRecord> hostCas, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The Root opens first: a wrong passphrase must revoke nothing, or the store and the Root CRL would disagree.
        using var root = RootStore.Open(state, passphrase);
        var revokedKeys = new List<byte[]>();
        foreach (var hostCa in hostCas)
        {
            await store.RevokeAsync("root", hostCa.SerialHex, now, reason, cancellationToken);
            var der = hostCa.Der ?? (await store.FindAsync("root", hostCa.SerialHex, cancellationToken))?.Der;
            if (der is not null)
            {
                using var certificate = X509CertificateLoader.LoadCertificate(der);
                var key = certificate.PublicKey.ExportSubjectPublicKeyInfo();
                await store.BlockKeyAsync(key, reason, now, cancellationToken);
                revokedKeys.Add(key);
            }

            done.Add($"revoked  Host CA of {machine} (serial {hostCa.SerialHex}, reason {RevocationReasonNames.NameOf(reason)}); its key is blocked");
        }

        await CrlFile.SignAsync(state.RootCrl, root, store, now, cancellationToken);
        done.Add($"signed   {state.RootCrl} (the Root CRL, valid until {now + CrlFile.Lifetime:yyyy-MM-dd})");
        if (File.Exists(state.HostCaKey(machine)) && HoldsKey(machine, revokedKeys))
        {
            // All-in-one: the operator held the revoked key. Without it, the next apply makes a new key and signs it.
            File.Delete(state.HostCaKey(machine));
            File.Delete(state.HostCaRequest(machine));
            done.Add($"removed  {state.HostCaKey(machine)} (the revoked key); `kith apply` makes a new one");
        }
    }

    /// <summary>True when the machine's current Host CA certificate (so the key the operator holds for it) is one of <paramref name="keys"/>.</summary>
    private bool HoldsKey(string machine, List<byte[]> keys)
    {
        if (!File.Exists(state.HostCaCertificate(machine)))
        {
            return false;
        }

        using var current = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(state.HostCaCertificate(machine))[0]);
        var spki = current.PublicKey.ExportSubjectPublicKeyInfo();
        return keys.Any(k => k.AsSpan().SequenceEqual(spki));
    }

    private async Task RevokeOperatorLeavesAsync(string issuer, IReadOnlyList<CertificateRecord> leaves, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var leaf in leaves)
        {
            await store.RevokeAsync(issuer, leaf.SerialHex, now, reason, cancellationToken);
            if (reason == RevocationReason.KeyCompromise && (leaf.Der ?? (await store.FindAsync(issuer, leaf.SerialHex, cancellationToken))?.Der) is { } der)
            {
                using var certificate = X509CertificateLoader.LoadCertificate(der);
                await store.BlockKeyAsync(certificate.PublicKey.ExportSubjectPublicKeyInfo(), reason, now, cancellationToken);
            }

            done.Add($"revoked  {string.Join(", ", leaf.Names)} (serial {leaf.SerialHex}, issued by {issuer}, reason {RevocationReasonNames.NameOf(reason)})");
        }

        if (File.Exists(state.HostCaKey(issuer)) && File.Exists(state.HostCaCertificate(issuer)))
        {
            using var root = RootStore.LoadCertificate(state);
            using var hostCa = HostCaFiles.Open(state, inventory, issuer, root.PublicKey.ExportSubjectPublicKeyInfo());
            await CrlFile.SignAsync(state.HostCaCrl(issuer), hostCa, store, now, cancellationToken);
            done.Add($"signed   {state.HostCaCrl(issuer)} (the CRL of {issuer}'s Host CA, valid until {now + CrlFile.Lifetime:yyyy-MM-dd})");
        }
    }

    private async Task RequestAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        await requests.AddAsync(request, cancellationToken);
        var what = request.SerialHex is { } serial ? $"serial {serial}" : $"every certificate named {request.Name} issued until now";
        done.Add($"requested  revocation of {what} by {request.Machine}'s agent (reason {RevocationReasonNames.NameOf(request.Reason)}), in the fleet state");
    }

    private void RequireAgentMachine(string machine, string subject)
    {
        if (inventory.FindMachine(machine) is null)
        {
            throw new KithException($"{subject}: machine '{machine}' is not in the inventory ({inventory.SourcePath})");
        }

        if (!state.IsAgentManaged(machine))
        {
            throw new KithException($"{subject}: not in the operator's store, and machine '{machine}' has no agent (its certificates are issued here); check the serial with `kith list --all --machine {machine}`");
        }
    }

    /// <summary>Lower-case hex without separators: accepts <c>5A:3B:…</c> (openssl's form), <c>0x5a3b…</c> and plain hex.</summary>
    public static string NormalizeSerial(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.Trim().Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        if (hex.StartsWith("0x", StringComparison.Ordinal))
        {
            hex = hex[2..];
        }

        if (hex.Length == 0 || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            throw new KithException($"serial '{text}': not a hexadecimal serial number (as `kith list` or `openssl x509 -serial` shows it)");
        }

        // The store keeps the DER INTEGER's content octets: an even number of digits.
        return hex.Length % 2 == 1 ? "0" + hex : hex;
    }

    /// <summary>Equal as numbers: a leading zero octet (DER's sign padding) does not make another serial.</summary>
    private static bool SameSerial(string a, string b) =>
        string.Equals(a.TrimStart('0'), b.TrimStart('0'), StringComparison.Ordinal);
}
