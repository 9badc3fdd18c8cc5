using System.Buffers.Text;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Kith.Acme;

/// <summary>
/// The certificate identifier of ACME Renewal Information (RFC 9773 §4.1): base64url of the
/// authorityKeyIdentifier's keyIdentifier, ".", base64url of the serial number's DER content octets
/// (with the leading zero byte when the high bit is set), both without padding.
/// </summary>
public sealed class CertificateIdentifier
{
    private CertificateIdentifier(byte[] keyIdentifier, byte[] serial)
    {
        KeyIdentifier = keyIdentifier;
        Serial = serial;
    }

    public ReadOnlyMemory<byte> KeyIdentifier { get; }

    /// <summary>The serial number as in the certificate: big-endian, DER content octets.</summary>
    public ReadOnlyMemory<byte> Serial { get; }

    /// <summary>The identifier of <paramref name="certificate"/>; it needs an AKI with a keyIdentifier (kith's leaves all have one).</summary>
    public static CertificateIdentifier Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        if (aki?.KeyIdentifier is not { Length: > 0 } keyIdentifier)
        {
            throw new KithException($"certificate '{certificate.Subject}' has no authority key identifier, so it has no ACME renewal identifier");
        }

        return new CertificateIdentifier(keyIdentifier.ToArray(), certificate.SerialNumberBytes.ToArray());
    }

    /// <summary>
    /// Reads an identifier from the last path segment of a renewalInfo URL. Strict: two non-empty parts
    /// in canonical unpadded base64url, and a serial that is a positive DER INTEGER without superfluous
    /// leading zeros. <paramref name="error"/> says what is wrong, for a malformed problem.
    /// </summary>
    public static bool TryParse(string? text, out CertificateIdentifier? identifier, out string error)
    {
        identifier = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "the certificate identifier is empty";
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || text.IndexOf('.', dot + 1) >= 0)
        {
            error = "a certificate identifier is two base64url parts joined by one '.'";
            return false;
        }

        if (!TryDecode(text[..dot], out var keyIdentifier))
        {
            error = "the key identifier part is not unpadded base64url";
            return false;
        }

        if (!TryDecode(text[(dot + 1)..], out var serial))
        {
            error = "the serial number part is not unpadded base64url";
            return false;
        }

        if (serial[0] >= 0x80 || (serial.Length > 1 && serial[0] == 0 && serial[1] < 0x80))
        {
            error = "the serial number part is not a positive DER integer";
            return false;
        }

        identifier = new CertificateIdentifier(keyIdentifier, serial);
        error = string.Empty;
        return true;
    }

    /// <summary>True when this identifies <paramref name="certificate"/>.</summary>
    public bool Matches(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        return aki?.KeyIdentifier is { } keyIdentifier
            && keyIdentifier.Span.SequenceEqual(KeyIdentifier.Span)
            && certificate.SerialNumberBytes.Span.SequenceEqual(Serial.Span);
    }

    public override string ToString() => Base64Url.EncodeToString(KeyIdentifier.Span) + "." + Base64Url.EncodeToString(Serial.Span);

    private static bool TryDecode(string part, out byte[] bytes) =>
        StrictBase64Url.TryDecode(part, out bytes) && bytes.Length > 0;
}

/// <summary>
/// The renewal window kith suggests (RFC 9773 §4.2): from two thirds of the certificate's lifetime to
/// five sixths of it. It depends on the certificate alone, so every ask gets the same answer and a
/// client that misses the window still has a sixth of the lifetime left.
/// </summary>
public static class RenewalWindow
{
    public static (DateTimeOffset Start, DateTimeOffset End) Suggested(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (notAfter <= notBefore)
        {
            throw new ArgumentException($"notAfter {notAfter:u} is not after notBefore {notBefore:u}", nameof(notAfter));
        }

        var lifetime = notAfter - notBefore;
        return (Truncate(notBefore + (lifetime * 2 / 3)), Truncate(notBefore + (lifetime * 5 / 6)));
    }

    public static (DateTimeOffset Start, DateTimeOffset End) Suggested(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Suggested(certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
    }

    /// <summary>The renewalInfo response body: {"suggestedWindow":{"start","end"}} with RFC 3339 UTC times.</summary>
    public static byte[] ToJson(DateTimeOffset start, DateTimeOffset end, Uri? explanationUrl = null) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new RenewalInfoDocument(new SuggestedWindowDocument(AcmeTime.Format(start), AcmeTime.Format(end)), explanationUrl?.AbsoluteUri),
            AcmeJson.Default.RenewalInfoDocument);

    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

}
