using System.Security.Cryptography.X509Certificates;
using Kith.Enrollment;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Revocation;

/// <summary>
/// <c>kith revoke --dir</c> on a machine (docs/revocation.md, "Revoking on a machine"): marks certificates of this
/// machine's Host CA revoked in the agent folder's issuance log (kith.db). The running agent sees the change
/// within two seconds and signs a new CRL. With keyCompromise the certificate's key is also blocked, so the
/// agent's ACME server never certifies it again.
/// </summary>
public static class MachineRevocation
{
    /// <summary>One certificate <see cref="RevokeAsync"/> handled.</summary>
    /// <param name="AlreadyRevoked">It was revoked before: its first time and reason stay.</param>
    /// <param name="KeyBlocked">Its key is now blocked (keyCompromise).</param>
    public sealed record Outcome(CertificateRecord Certificate, bool AlreadyRevoked, bool KeyBlocked);

    /// <summary>
    /// Revokes the certificate with <paramref name="serial"/> (any case, colons allowed), or every unexpired,
    /// unrevoked certificate whose names include <paramref name="name"/>. Throws <see cref="KithException"/> when
    /// the folder has no issuance log or nothing matches.
    /// </summary>
    public static async Task<IReadOnlyList<Outcome>> RevokeAsync(
        AgentFolder folder, string? serial, string? name, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if ((serial is null) == (name is null))
        {
            throw new KithException("give either a SERIAL or --name NAME");
        }

        var machine = MachineOf(folder);
        if (!File.Exists(folder.Store))
        {
            throw new KithException($"{folder.Store}: no issuance log: this agent has issued nothing yet (is --dir the agent's folder?)");
        }

        await using var store = await SqliteCertificateStore.OpenAsync(folder.Store, cancellationToken).ConfigureAwait(false);
        var targets = serial is not null
            ? [await FindBySerialAsync(store, machine, NormalizeSerial(serial), cancellationToken).ConfigureAwait(false)]
            : await FindByNameAsync(store, machine, name!, now, cancellationToken).ConfigureAwait(false);

        var outcomes = new List<Outcome>();
        foreach (var target in targets)
        {
            await store.RevokeAsync(machine, target.SerialHex, now, reason, cancellationToken).ConfigureAwait(false);
            var blocked = false;
            if (reason == RevocationReason.KeyCompromise && target.Der is { } der)
            {
                using var certificate = X509CertificateLoader.LoadCertificate(der);
                await store.BlockKeyAsync(certificate.PublicKey.ExportSubjectPublicKeyInfo(), reason, now, cancellationToken).ConfigureAwait(false);
                blocked = true;
            }

            var after = await store.FindAsync(machine, target.SerialHex, cancellationToken).ConfigureAwait(false) ?? target;
            outcomes.Add(new Outcome(after, target.IsRevoked, blocked));
        }

        return outcomes;
    }

    /// <summary>Lower-case hex without colons or spaces ("0A:1B" and "0a1b" are one serial).</summary>
    public static string NormalizeSerial(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.Replace(":", string.Empty, StringComparison.Ordinal).Trim().ToLowerInvariant();
        if (hex.Length == 0 || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigitLower))
        {
            throw new KithException($"serial '{text}' is not hex (as `kith list` or `openssl x509 -serial` prints it)");
        }

        return hex;
    }

    private static async Task<CertificateRecord> FindBySerialAsync(ICertificateStore store, string machine, string serial, CancellationToken cancellationToken) =>
        await store.FindAsync(machine, serial, cancellationToken).ConfigureAwait(false)
            ?? throw new KithException($"no certificate with serial {serial} was issued by {machine}'s Host CA (see `openssl x509 -serial -noout -in cert.pem`)");

    private static async Task<IReadOnlyList<CertificateRecord>> FindByNameAsync(ICertificateStore store, string machine, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(new CertificateQuery(Issuer: machine, IncludeRevoked: false, IncludeDer: true, UnexpiredAt: now), cancellationToken).ConfigureAwait(false);
        var matching = all.Where(c => c.Names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))).ToList();
        return matching.Count > 0
            ? matching
            : throw new KithException($"no unexpired, unrevoked certificate of {machine}'s Host CA has the name '{name}'");
    }

    /// <summary>The machine this agent folder's Host CA belongs to: the issuer name of its certificates in the log.</summary>
    private static string MachineOf(AgentFolder folder)
    {
        if (!File.Exists(folder.HostCaCertificate))
        {
            throw new KithException($"{folder.HostCaCertificate}: no Host CA installed (is --dir the agent's folder?)");
        }

        using var hostCa = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(folder.HostCaCertificate)[0]);
        var prefix = HostCa.SubjectCommonName(string.Empty);
        var cn = hostCa.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return cn.StartsWith(prefix, StringComparison.Ordinal) && cn.Length > prefix.Length
            ? cn[prefix.Length..]
            : throw new KithException($"{folder.HostCaCertificate}: its subject names no machine (CN=kith Host CA <machine>)");
    }
}
