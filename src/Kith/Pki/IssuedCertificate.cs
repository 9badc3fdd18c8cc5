using System.Net;

namespace Kith.Pki;

/// <summary>A certificate kith has signed, with the facts that went into it.</summary>
public sealed record IssuedCertificate(
    string Issuer,
    byte[] Der,
    string SerialHex,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<IPAddress> IpAddresses,
    CertificateUsage Usage,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    public string ToPem() => Pem.Encode("CERTIFICATE", Der);

    /// <summary>The SAN DNS names, then the addresses as text: the names the issuance log keeps.</summary>
    public IReadOnlyList<string> Names => [.. DnsNames, .. IpAddresses.Select(a => a.ToString())];
}

/// <summary>
/// A to-be-signed certificate that passed the policy checks. It can be signed exactly once: the bytes
/// signed are the bytes that were checked.
/// </summary>
public sealed class PreparedCertificate
{
    private int signed;

    internal PreparedCertificate(LeafRequest request, byte[] serial, byte[] tbs, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        Request = request;
        Serial = serial;
        Tbs = tbs;
        NotBefore = notBefore;
        NotAfter = notAfter;
    }

    public LeafRequest Request { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public string SerialHex => SerialNumber.ToHex(Serial);

    internal byte[] Serial { get; }

    /// <summary>The DER TBSCertificate, as checked.</summary>
    public ReadOnlyMemory<byte> Tbs { get; }

    internal void MarkSigned()
    {
        if (Interlocked.Exchange(ref signed, 1) != 0)
        {
            throw new InvalidOperationException($"certificate {SerialHex} has already been signed once");
        }
    }
}
