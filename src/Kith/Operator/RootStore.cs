using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Pki;

namespace Kith.Operator;

/// <summary>Creates and opens the Root CA in the state folder. Only operator commands ever call this.</summary>
public static class RootStore
{
    /// <summary>
    /// Makes the Root CA unless one exists. Returns false (and changes nothing) when it already does.
    /// The key is encrypted before it touches the disk, and written 0600 atomically.
    /// </summary>
    public static bool Create(StateFolder state, string domain, KeyAlgorithm algorithm, TimeSpan validity, Passphrase passphrase, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(passphrase);
        if (Directory.Exists(state.RootFolder) && !Directory.EnumerateFileSystemEntries(state.RootFolder).Any())
        {
            Directory.Delete(state.RootFolder);
        }

        if (Directory.Exists(state.RootFolder))
        {
            if (!state.HasRoot)
            {
                throw new KithException($"{state.RootFolder}: holds only half a Root CA (certificate or key missing); restore it from backup or remove the folder to start over");
            }

            return false;
        }

        var secret = passphrase.Get(creating: true);
        var (certificate, key) = RootCa.Create(domain, algorithm, validity, now);
        using (certificate)
        using (key)
        {
            // Both files are written into a folder beside root/ that is renamed into place at the end:
            // an interrupted init leaves no half Root behind.
            Directory.CreateDirectory(state.Path);
            var staging = Directory.CreateDirectory(Path.Combine(state.Path, $".root-{Guid.NewGuid():N}"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
            try
            {
                AtomicFile.WriteText(Path.Combine(staging, Path.GetFileName(state.RootKey)), PrivateKeyPem.ExportEncrypted(key, secret), AtomicFile.PrivateMode);
                AtomicFile.WriteText(Path.Combine(staging, Path.GetFileName(state.RootCertificate)), Pem.Encode("CERTIFICATE", certificate.RawData), AtomicFile.PublicMode);
                Directory.Move(staging, state.RootFolder);
                AtomicFile.FlushFolder(state.Path);
            }
            catch
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }

                throw;
            }
        }

        return true;
    }

    /// <summary>The Root certificate alone (no passphrase needed).</summary>
    public static X509Certificate2 LoadCertificate(StateFolder state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.HasRoot)
        {
            throw new KithException($"no Root CA in {state.Path}: run `kith init` first (or point --state at your state folder)");
        }

        var der = Pem.ReadCertificates(state.RootCertificate)[0];
        return X509CertificateLoader.LoadCertificate(der);
    }

    /// <summary>Opens the Root for signing: decrypts its key with the passphrase.</summary>
    public static CertificateAuthority Open(StateFolder state, Passphrase passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        var certificate = LoadCertificate(state);
        var pem = InputFile.ReadText(state.RootKey);
        var key = PrivateKeyPem.Import(pem, state.RootKey, certificate.GetRSAPublicKey() is not null, passphrase.Get(creating: false));
        return new CertificateAuthority("root", certificate, key);
    }
}
