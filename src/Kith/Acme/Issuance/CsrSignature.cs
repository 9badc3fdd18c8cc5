using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Kith.Acme.Issuance;

/// <summary>
/// The CSR signature algorithms finalize accepts: ECDSA and RSA PKCS#1 v1.5 with SHA-256/384/512
/// (RFC 5758 §3.2, RFC 4055 §5), and RSASSA-PSS (RFC 4055 §3.1) with MGF1 over the same hash and a salt
/// as long as the hash, the parameters every mainstream client sends. SHA-1 and MD5 are refused.
/// </summary>
internal sealed record CsrSignature(string Name, bool Ecdsa, HashAlgorithmName Hash, RSASignaturePadding? Padding)
{
    internal const string EcPublicKeyOid = "1.2.840.10045.2.1";
    internal const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    private const string RsaPssOid = "1.2.840.113549.1.1.10";
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";
    private const string Accepted = "sign it with ECDSA or RSA (PKCS#1 v1.5 or PSS) over SHA-256, SHA-384 or SHA-512";

    private static readonly Dictionary<string, CsrSignature> Plain = new(StringComparer.Ordinal)
    {
        ["1.2.840.10045.4.3.2"] = new("ecdsa-with-SHA256", true, HashAlgorithmName.SHA256, null),
        ["1.2.840.10045.4.3.3"] = new("ecdsa-with-SHA384", true, HashAlgorithmName.SHA384, null),
        ["1.2.840.10045.4.3.4"] = new("ecdsa-with-SHA512", true, HashAlgorithmName.SHA512, null),
        ["1.2.840.113549.1.1.11"] = new("sha256WithRSAEncryption", false, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ["1.2.840.113549.1.1.12"] = new("sha384WithRSAEncryption", false, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        ["1.2.840.113549.1.1.13"] = new("sha512WithRSAEncryption", false, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
    };

    private static readonly Dictionary<string, (HashAlgorithmName Hash, int Length)> Hashes = new(StringComparer.Ordinal)
    {
        ["2.16.840.1.101.3.4.2.1"] = (HashAlgorithmName.SHA256, 32),
        ["2.16.840.1.101.3.4.2.2"] = (HashAlgorithmName.SHA384, 48),
        ["2.16.840.1.101.3.4.2.3"] = (HashAlgorithmName.SHA512, 64),
    };

    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.4"] = "md5WithRSAEncryption",
        ["1.2.840.113549.1.1.5"] = "sha1WithRSAEncryption",
        ["1.2.840.10045.4.1"] = "ecdsa-with-SHA1",
        ["1.3.101.112"] = "Ed25519",
        ["1.3.101.113"] = "Ed448",
    };

    /// <summary>Null and the algorithm, or why the CSR's signature algorithm is not accepted.</summary>
    public static string? TryIdentify(string oid, ReadOnlyMemory<byte>? parameters, out CsrSignature? signature)
    {
        signature = null;
        if (Plain.TryGetValue(oid, out var plain))
        {
            // RFC 5758 §3.2: ECDSA parameters are absent; RFC 4055 §5: RSA ones are NULL (absence tolerated).
            if (parameters is { } p && (plain.Ecdsa || !p.Span.SequenceEqual((ReadOnlySpan<byte>)[0x05, 0x00])))
            {
                return $"the CSR's {plain.Name} signature algorithm carries parameters it must not have";
            }

            signature = plain;
            return null;
        }

        if (oid == RsaPssOid)
        {
            return TryReadPss(parameters, out signature);
        }

        var name = Refused.TryGetValue(oid, out var known) ? known : oid;
        return $"the CSR's signature algorithm {name} is not accepted; {Accepted}";
    }

    /// <summary>True when the key family fits the algorithm (an ECDSA signature needs an EC key).</summary>
    public bool FitsKey(string keyAlgorithmOid) => keyAlgorithmOid == (Ecdsa ? EcPublicKeyOid : RsaEncryptionOid);

    /// <summary>Checks the signature and gives the key's canonical SubjectPublicKeyInfo; false when it does not verify.</summary>
    public bool Verify(CsrParts parts, out byte[] canonicalKey)
    {
        canonicalKey = [];
        try
        {
            if (Ecdsa)
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(parts.SubjectPublicKeyInfo.Span, out _);
                canonicalKey = CanonicalPublicKey.Of(parts.SubjectPublicKeyInfo) ?? [];
                return canonicalKey.Length > 0 && ecdsa.VerifyData(parts.SignedBytes.Span, parts.Signature.Span, Hash, DSASignatureFormat.Rfc3279DerSequence);
            }

            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(parts.SubjectPublicKeyInfo.Span, out _);
            canonicalKey = CanonicalPublicKey.Of(parts.SubjectPublicKeyInfo) ?? [];
            return canonicalKey.Length > 0 && rsa.VerifyData(parts.SignedBytes.Span, parts.Signature.Span, Hash, Padding!);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string? TryReadPss(ReadOnlyMemory<byte>? parameters, out CsrSignature? signature)
    {
        signature = null;
        const string Wanted = "use MGF1 with the same SHA-2 hash and a salt as long as the hash";
        if (parameters is not { } p)
        {
            return $"the CSR's RSASSA-PSS signature has no parameters (that means SHA-1); {Wanted}";
        }

        try
        {
            var outer = new AsnReader(p, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            string? hashOid = null, mgfOid = null, mgfHashOid = null;
            var salt = 20;
            var trailer = 1;
            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                hashOid = ReadAlgorithmOid(sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)), out _);
            }

            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                mgfOid = ReadAlgorithmOid(sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true)), out var mgfParameters);
                if (mgfParameters is { } mp)
                {
                    mgfHashOid = ReadAlgorithmOid(new AsnReader(mp, AsnEncodingRules.DER), out _);
                }
            }

            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                var explicitSalt = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2, true));
                salt = explicitSalt.TryReadInt32(out var s) ? s : -1;
                explicitSalt.ThrowIfNotEmpty();
            }

            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))
            {
                var explicitTrailer = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true));
                trailer = explicitTrailer.TryReadInt32(out var t) ? t : -1;
                explicitTrailer.ThrowIfNotEmpty();
            }

            sequence.ThrowIfNotEmpty();
            if (hashOid is null || !Hashes.TryGetValue(hashOid, out var hash))
            {
                return $"the CSR's RSASSA-PSS hash {hashOid ?? "SHA-1 (the default)"} is not accepted; use SHA-256, SHA-384 or SHA-512";
            }

            if (mgfOid != Mgf1Oid || mgfHashOid != hashOid || salt != hash.Length || trailer != 1)
            {
                return $"the CSR's RSASSA-PSS parameters are not accepted; {Wanted} ({hash.Length} bytes)";
            }

            signature = new CsrSignature($"RSASSA-PSS with {hash.Hash.Name}", false, hash.Hash, RSASignaturePadding.Pss);
            return null;
        }
        catch (AsnContentException)
        {
            return "the CSR's RSASSA-PSS parameters are not valid DER";
        }
    }

    private static string ReadAlgorithmOid(AsnReader algorithm, out ReadOnlyMemory<byte>? parameters)
    {
        var identifier = algorithm.ReadSequence();
        algorithm.ThrowIfNotEmpty();
        var oid = identifier.ReadObjectIdentifier();
        parameters = identifier.HasData ? identifier.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
        identifier.ThrowIfNotEmpty();
        return oid;
    }
}
