using System.Formats.Asn1;
using System.Security.Cryptography;
using Kith.Files;

namespace Kith.Pki;

/// <summary>One decoded PEM block (RFC 7468).</summary>
public sealed record PemBlock(string Label, byte[] Der);

/// <summary>Reads PEM (and, where allowed, DER) files with one-line errors that name the file.</summary>
public static class Pem
{
    public static IReadOnlyList<PemBlock> Decode(string text, string source)
    {
        var blocks = new List<PemBlock>();
        var remaining = text.AsSpan();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            var label = remaining[fields.Label].ToString();
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(remaining[fields.Base64Data], der, out _))
            {
                throw new KithException($"{source}: the {label} block is not valid base64");
            }

            blocks.Add(new PemBlock(label, der));
            remaining = remaining[fields.Location.End..];
        }

        if (blocks.Count == 0)
        {
            var hint = text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? "a PEM block starts but never ends (truncated file?)"
                : "no PEM block found";
            throw new KithException($"{source}: {hint}");
        }

        return blocks;
    }

    /// <summary>Reads the PEM blocks of a file; a file that is binary DER gets a hint to convert it.</summary>
    public static IReadOnlyList<PemBlock> ReadFile(string path)
    {
        var bytes = InputFile.ReadBytes(path);
        if (bytes.Length == 0)
        {
            throw new KithException($"{path}: is empty");
        }

        if (bytes[0] == 0x30)
        {
            throw new KithException($"{path}: is binary DER, expected PEM (convert with: openssl x509 -inform der -in {path} -out {path}.pem)");
        }

        return Decode(System.Text.Encoding.UTF8.GetString(bytes), path);
    }

    /// <summary>
    /// Certificates from a file in PEM or DER; DER must be exactly one certificate with nothing after it.
    /// </summary>
    public static IReadOnlyList<byte[]> ReadCertificates(string path)
    {
        var bytes = InputFile.ReadBytes(path);
        if (bytes.Length == 0)
        {
            throw new KithException($"{path}: is empty");
        }

        if (bytes[0] == 0x30)
        {
            try
            {
                var reader = new AsnReader(bytes, AsnEncodingRules.DER);
                var der = reader.ReadEncodedValue().ToArray();
                if (reader.HasData)
                {
                    throw new KithException($"{path}: {bytes.Length - der.Length} bytes of trailing data after the DER certificate");
                }

                return [der];
            }
            catch (AsnContentException)
            {
                throw new KithException($"{path}: is neither PEM nor a complete DER certificate (truncated?)");
            }
        }

        var certificates = Decode(System.Text.Encoding.UTF8.GetString(bytes), path)
            .Where(b => b.Label == "CERTIFICATE")
            .Select(b => b.Der)
            .ToList();
        if (certificates.Count == 0)
        {
            throw new KithException($"{path}: holds no CERTIFICATE block");
        }

        return certificates;
    }

    /// <summary>One PEM block ending in a newline, so blocks concatenate into valid bundles.</summary>
    public static string Encode(string label, ReadOnlySpan<byte> der) => new string(PemEncoding.Write(label, der)) + "\n";

    /// <summary>The text with exactly one trailing newline (.NET's PEM exports have none).</summary>
    public static string WithNewline(string pem) => pem.EndsWith('\n') ? pem : pem + "\n";
}
