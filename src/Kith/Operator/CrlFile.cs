using System.Formats.Asn1;
using Kith.Files;
using Kith.Inventory;
using Kith.Pki;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>
/// A CRL the operator signs and keeps as PEM in the state folder: the Root CRL (<c>root/root-crl.pem</c>) and the
/// CRL of an all-in-one machine's Host CA (<c>hosts/&lt;machine&gt;/host-ca-crl.pem</c>). Each is valid for
/// <see cref="Lifetime"/> and signed again by <c>kith apply</c> once less than <see cref="RenewWhenLeft"/> is left
/// (docs/revoke.md).
/// </summary>
public static class CrlFile
{
    /// <summary>nextUpdate − thisUpdate: the Root is offline, so its CRL must outlive the gaps between applies.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    /// <summary>Apply signs a new CRL when less than this is left before nextUpdate.</summary>
    public static readonly TimeSpan RenewWhenLeft = TimeSpan.FromDays(30);

    /// <summary>
    /// Signs a CRL of every unexpired revoked certificate of <paramref name="issuer"/> in the store, with the next
    /// CRL number, and writes it atomically to <paramref name="path"/>. Returns the PEM.
    /// </summary>
    public static async Task<string> SignAsync(string path, CertificateAuthority issuer, ICertificateStore store, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(store);
        var revoked = await store.ListRevokedAsync(issuer.Name, now, cancellationToken);
        var number = await store.NextCrlNumberAsync(issuer.Name, cancellationToken);
        // thisUpdate a little in the past, as certificates are backdated: a client whose clock lags still takes it.
        var thisUpdate = now - CertificateValidity.Backdate;
        var der = RevocationListSigner.Sign(
            issuer,
            revoked.Select(r => new CrlEntry(r.SerialHex, r.RevokedAt, (int)r.Reason)),
            number,
            thisUpdate,
            now + Lifetime);
        var pem = Pem.Encode("X509 CRL", der);
        AtomicFile.WriteText(path, pem, AtomicFile.PublicMode);
        return pem;
    }

    /// <summary>
    /// Signs the CRL of every all-in-one machine's Host CA (the operator holds its key; no passphrase needed) that is
    /// missing, has less than <see cref="RenewWhenLeft"/> left, or is older than its Host CA certificate (a new key
    /// needs a CRL of its own). Returns the paths written.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SignHostCaCrlsAsync(FleetInventory inventory, StateFolder state, ICertificateStore store, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(state);
        var written = new List<string>();
        byte[]? rootKey = null;
        foreach (var machine in inventory.Machines.Select(m => m.Name))
        {
            var path = state.HostCaCrl(machine);
            if (!File.Exists(state.HostCaKey(machine)) || !File.Exists(state.HostCaCertificate(machine))
                || (!NeedsSigning(path, now) && File.GetLastWriteTimeUtc(path) >= File.GetLastWriteTimeUtc(state.HostCaCertificate(machine))))
            {
                continue;
            }

            if (rootKey is null)
            {
                using var root = RootStore.LoadCertificate(state);
                rootKey = root.PublicKey.ExportSubjectPublicKeyInfo();
            }

            using var hostCa = HostCaFiles.Open(state, inventory, machine, rootKey);
            await SignAsync(path, hostCa, store, now, cancellationToken);
            written.Add(path);
        }

        return written;
    }

    /// <summary>The nextUpdate of the CRL at <paramref name="path"/>, or null when there is none or it cannot be read.</summary>
    public static DateTimeOffset? NextUpdate(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var block = Pem.Decode(InputFile.ReadText(path), path).FirstOrDefault(b => b.Label == "X509 CRL");
            return block is null ? null : ReadNextUpdate(block.Der);
        }
        catch (Exception e) when (e is KithException or AsnContentException or FormatException)
        {
            return null;
        }
    }

    /// <summary>True when the CRL is missing, unreadable, or has less than <see cref="RenewWhenLeft"/> left.</summary>
    public static bool NeedsSigning(string path, DateTimeOffset now) =>
        NextUpdate(path) is not { } next || next - now < RenewWhenLeft;

    /// <summary>
    /// CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue } and TBSCertList ::= SEQUENCE
    /// { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name, thisUpdate Time, nextUpdate Time
    /// OPTIONAL, … } (RFC 5280 §5.1); Time is UTCTime or GeneralizedTime.
    /// </summary>
    private static DateTimeOffset? ReadNextUpdate(byte[] der)
    {
        var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger();
        }

        tbs.ReadSequence(); // signature
        tbs.ReadSequence(); // issuer
        ReadTime(tbs); // thisUpdate
        return tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime))
            ? ReadTime(tbs)
            : null;
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
