using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Kith.Pki;

/// <summary>
/// Issues leaf certificates from one CA in two phases, as public CAs do: <see cref="Prepare"/> runs the
/// policy checks and encodes the TBSCertificate; <see cref="Sign"/> signs exactly those bytes, once.
/// Not thread-safe (it reuses its buffers and holds its own copy of the signing key): use one per thread.
/// </summary>
public sealed class LeafIssuer : IDisposable
{
    private readonly CertificateAuthority issuer;
    private readonly AsymmetricAlgorithm signingKey;
    private readonly TimeProvider time;
    private readonly TbsCertificateWriter tbsWriter = new();
    private readonly AsnWriter certificateWriter = new(AsnEncodingRules.DER, initialCapacity: 1024);
    private readonly byte[] signature = new byte[1024];

    // Serials come from the CSPRNG in batches: one RandomNumberGenerator call (an OpenSSL RAND_bytes with
    // its locks and fork check) per 256 certificates instead of one each. Each 16-byte slice is used once.
    private readonly byte[] serialPool = new byte[SerialNumber.Length * 256];
    private int serialPoolNext = int.MaxValue;

    public LeafIssuer(CertificateAuthority issuer, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        this.issuer = issuer;
        this.time = time ?? TimeProvider.System;
        signingKey = issuer.CloneKey();
    }

    public CertificateAuthority Issuer => issuer;

    /// <summary>Checks the request against policy and encodes it. Throws <see cref="PolicyViolationException"/>.</summary>
    public PreparedCertificate Prepare(LeafRequest request)
    {
        // X.509 times carry whole seconds: check and record what the certificate will actually say.
        var truncated = request with { NotBefore = TruncateToSeconds(request.NotBefore), NotAfter = TruncateToSeconds(request.NotAfter) };
        IssuancePolicy.Check(issuer, truncated, time.GetUtcNow());
        var serial = NextSerial();
        var tbs = tbsWriter.Encode(issuer, truncated, serial, truncated.NotBefore, truncated.NotAfter);
        return new PreparedCertificate(truncated, serial, tbs, truncated.NotBefore, truncated.NotAfter);
    }

    public IssuedCertificate Sign(PreparedCertificate prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        prepared.MarkSigned();
        var tbs = prepared.Tbs.Span;
        int length;
        var signed = signingKey switch
        {
            ECDsa ecdsa => ecdsa.TrySignData(tbs, signature, issuer.Hash, DSASignatureFormat.Rfc3279DerSequence, out length),
            RSA rsa => rsa.TrySignData(tbs, signature, issuer.Hash, RSASignaturePadding.Pkcs1, out length),
            _ => throw new InvalidOperationException("unsupported CA key"),
        };
        if (!signed)
        {
            throw new CryptographicException($"CA '{issuer.Name}': signature did not fit its buffer");
        }

        certificateWriter.Reset();
        using (certificateWriter.PushSequence())
        {
            certificateWriter.WriteEncodedValue(tbs);
            certificateWriter.WriteEncodedValue(issuer.SignatureAlgorithm);
            certificateWriter.WriteBitString(signature.AsSpan(0, length));
        }

        var request = prepared.Request;
        return new IssuedCertificate(
            issuer.Name,
            certificateWriter.Encode(),
            prepared.SerialHex,
            request.DnsNames,
            request.IpAddresses,
            request.Usage,
            prepared.NotBefore,
            prepared.NotAfter);
    }

    /// <summary>Prepare and sign in one call.</summary>
    public IssuedCertificate Issue(LeafRequest request) => Sign(Prepare(request));

    public void Dispose() => signingKey.Dispose();

    /// <summary>A fresh serial as <see cref="SerialNumber.Fill"/> makes it: 126 CSPRNG bits, top bits 01.</summary>
    private byte[] NextSerial()
    {
        if (serialPoolNext >= serialPool.Length)
        {
            RandomNumberGenerator.Fill(serialPool);
            serialPoolNext = 0;
        }

        var slice = serialPool.AsSpan(serialPoolNext, SerialNumber.Length);
        serialPoolNext += SerialNumber.Length;
        var serial = slice.ToArray();
        slice.Clear();
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
