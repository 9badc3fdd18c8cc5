using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Fleet;
using Kith.Pki;

namespace Kith.Operator;

/// <summary>
/// The fleet-state publisher key (0600, not encrypted: publishing needs no Root passphrase) and its
/// certificate in the operator's state folder. Made or renewed only while the Root is open.
/// </summary>
public static class PublisherFiles
{
    /// <summary>True when there is no usable publisher yet, or it expires within <see cref="PublisherCertificate.RenewBefore"/>.</summary>
    public static bool NeedsRenewal(StateFolder state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!File.Exists(state.PublisherKey) || !File.Exists(state.PublisherCertificate))
        {
            return true;
        }

        using var certificate = LoadCertificate(state);
        using var root = RootStore.LoadCertificate(state);
        return certificate.NotAfter.ToUniversalTime() - now < PublisherCertificate.RenewBefore
            || ChainCheck.Problem(certificate, [], root, now) is not null;
    }

    /// <summary>A new publisher key and certificate from the open Root, replacing any previous one.</summary>
    public static void Create(StateFolder state, CertificateAuthority root, string domain, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (certificate, key) = PublisherCertificate.Create(root, domain, now);
        using (certificate)
        using (key)
        {
            Directory.CreateDirectory(state.PublisherFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Key first: a crash in between leaves a key without its certificate, which NeedsRenewal replaces.
            AtomicFile.WriteText(state.PublisherKey, PrivateKeyPem.Export(key), AtomicFile.PrivateMode);
            AtomicFile.WriteText(state.PublisherCertificate, Pem.Encode("CERTIFICATE", certificate.RawData), AtomicFile.PublicMode);
        }
    }

    public static X509Certificate2 LoadCertificate(StateFolder state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(state.PublisherCertificate)[0]);
    }

    /// <summary>The publisher key and certificate, checked to belong together; null when there are none.</summary>
    public static (X509Certificate2 Certificate, ECDsa Key)? TryLoad(StateFolder state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!File.Exists(state.PublisherKey) || !File.Exists(state.PublisherCertificate))
        {
            return null;
        }

        var certificate = LoadCertificate(state);
        var key = (ECDsa)PrivateKeyPem.Import(InputFile.ReadText(state.PublisherKey), state.PublisherKey, isRsa: false);
        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            certificate.Dispose();
            throw new KithException($"{state.PublisherKey}: does not belong to {state.PublisherCertificate}");
        }

        return (certificate, key);
    }
}
