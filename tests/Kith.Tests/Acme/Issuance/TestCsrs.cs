using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.Acme;
using Kith.Acme.Jws;

namespace Kith.Tests.Acme.Issuance;

/// <summary>CSRs for finalize tests: through .NET's CertificateRequest, or written field by field to get what it will not make.</summary>
internal static class TestCsrs
{
    public static readonly AcmeIdentifier[] Order = [new("dns", "a.example"), new("dns", "b.example")];

    /// <summary>An account key that is not the key of any CSR made here.</summary>
    public static readonly AcmeAccountKey OtherAccount = AccountKeyOf(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static AcmeAccountKey AccountKeyOf(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        var crv = q.X!.Length == 32 ? "P-256" : "P-384";
        return ParseJwk($$"""{"kty":"EC","crv":"{{crv}}","x":"{{TestAcmeKey.B64(q.X!)}}","y":"{{TestAcmeKey.B64(q.Y!)}}"}""");
    }

    public static AcmeAccountKey AccountKeyOf(RSA key)
    {
        var p = key.ExportParameters(false);
        return ParseJwk($$"""{"kty":"RSA","n":"{{TestAcmeKey.B64(p.Modulus!)}}","e":"{{TestAcmeKey.B64(p.Exponent!)}}"}""");
    }

    public static AcmeAccountKey ParseJwk(string jwk)
    {
        using var document = JsonDocument.Parse(jwk);
        Assert.True(AcmeJwkParser.TryParse(document.RootElement.Clone(), out var key, out var problem), problem?.Detail);
        return key!;
    }

    /// <summary>A CSR from .NET's CertificateRequest with the given CN (null for none) and SAN entries ("ip:" prefix for addresses).</summary>
    public static byte[] Dotnet(AsymmetricAlgorithm key, string? commonName, params string[] altNames)
    {
        var subject = new X500DistinguishedName(commonName is null ? "" : $"CN={commonName}");
        var request = key switch
        {
            ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
        if (altNames.Length > 0)
        {
            request.CertificateExtensions.Add(San(altNames));
        }

        return request.CreateSigningRequest();
    }

    public static X509Extension San(params string[] altNames)
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in altNames)
        {
            if (name.StartsWith("ip:", StringComparison.Ordinal))
            {
                san.AddIpAddress(IPAddress.Parse(name[3..]));
            }
            else if (name.StartsWith("uri:", StringComparison.Ordinal))
            {
                san.AddUri(new Uri(name[4..]));
            }
            else if (name.StartsWith("email:", StringComparison.Ordinal))
            {
                san.AddEmailAddress(name[6..]);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        return san.Build();
    }

    /// <summary>
    /// A CSR written field by field (RFC 2986 §4): any version, extensions (even repeated), signature
    /// algorithm OID and hash, signed by <paramref name="signer"/> (null: <paramref name="key"/>).
    /// </summary>
    public static byte[] Manual(
        ECDsa key,
        string? commonName,
        IReadOnlyList<X509Extension> extensions,
        int version = 0,
        string signatureOid = "1.2.840.10045.4.3.2",
        HashAlgorithmName? hash = null,
        ECDsa? signer = null)
    {
        var info = new AsnWriter(AsnEncodingRules.DER);
        using (info.PushSequence())
        {
            info.WriteInteger(version);
            info.WriteEncodedValue(new X500DistinguishedName(commonName is null ? "" : $"CN={commonName}").RawData);
            info.WriteEncodedValue(key.ExportSubjectPublicKeyInfo());
            using (info.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            {
                if (extensions.Count > 0)
                {
                    using (info.PushSequence())
                    {
                        info.WriteObjectIdentifier("1.2.840.113549.1.9.14");
                        using (info.PushSetOf())
                        using (info.PushSequence())
                        {
                            foreach (var extension in extensions)
                            {
                                using (info.PushSequence())
                                {
                                    info.WriteObjectIdentifier(extension.Oid!.Value!);
                                    if (extension.Critical)
                                    {
                                        info.WriteBoolean(true);
                                    }

                                    info.WriteOctetString(extension.RawData);
                                }
                            }
                        }
                    }
                }
            }
        }

        var infoDer = info.Encode();
        var signature = (signer ?? key).SignData(infoDer, hash ?? HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var csr = new AsnWriter(AsnEncodingRules.DER);
        using (csr.PushSequence())
        {
            csr.WriteEncodedValue(infoDer);
            using (csr.PushSequence())
            {
                csr.WriteObjectIdentifier(signatureOid);
            }

            csr.WriteBitString(signature);
        }

        return csr.Encode();
    }
}

/// <summary>A folder for one test's files, removed afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("kith-csr-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
