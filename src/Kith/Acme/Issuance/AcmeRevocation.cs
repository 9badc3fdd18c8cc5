using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.Acme.Jws;
using Kith.Storage;

namespace Kith.Acme.Issuance;

/// <summary>
/// Reads the payload of a revokeCert request (RFC 8555 §7.6) and checks the key of a request signed by
/// the certificate's own key. Who may revoke (the issuing account, an account that holds authorizations
/// for every name, or the certificate key) is the server's decision; this only reads and compares.
/// </summary>
public static class AcmeRevocation
{
    /// <summary>
    /// The reasons a client may give, as Let's Encrypt allows them: unspecified (0), keyCompromise (1),
    /// affiliationChanged (3), superseded (4) and cessationOfOperation (5). cACompromise (2) is not the
    /// subscriber's to claim, certificateHold (6) cannot be undone here, and the rest do not apply to a leaf.
    /// </summary>
    public static IReadOnlyList<RevocationReason> AllowedReasons { get; } =
    [
        RevocationReason.Unspecified,
        RevocationReason.KeyCompromise,
        RevocationReason.AffiliationChanged,
        RevocationReason.Superseded,
        RevocationReason.CessationOfOperation,
    ];

    private static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 8,
    };

    /// <summary>True with the certificate and reason, or false with a malformed or badRevocationReason problem.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payloadJson, out AcmeRevocationRequest? request, out AcmeProblem? problem)
    {
        request = null;
        try
        {
            problem = Read(payloadJson, ref request);
        }
        catch (JsonException)
        {
            problem = Malformed("the revokeCert payload is not valid JSON");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Invalid UTF-8 inside a string or member name only fails when it is read.
            problem = Malformed("the revokeCert payload is not valid UTF-8 JSON");
        }

        return problem is null;
    }

    /// <summary>
    /// True when <paramref name="key"/> (the "jwk" of a revokeCert request not signed by an account) is the
    /// certificate's public key. Keys are compared as SubjectPublicKeyInfo re-exported by the platform, so
    /// two encodings of one key compare equal. False for anything that cannot be compared.
    /// </summary>
    public static bool KeyMatchesCertificate(AcmeAccountKey key, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            var certificateKey = certificate.PublicKey.ExportSubjectPublicKeyInfo();

            // Ed25519 and other keys without a canonical form here have a single DER spelling already.
            return (CanonicalPublicKey.Of(certificateKey) ?? certificateKey).AsSpan().SequenceEqual(key.SubjectPublicKeyInfo);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static AcmeProblem? Read(ReadOnlySpan<byte> payloadJson, ref AcmeRevocationRequest? request)
    {
        using var document = JsonDocument.Parse(payloadJson.ToArray(), StrictJson);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Malformed("the revokeCert payload must be a JSON object with \"certificate\" and optionally \"reason\"");
        }

        if (!root.TryGetProperty("certificate", out var certificateElement) || certificateElement.ValueKind != JsonValueKind.String)
        {
            return Malformed("the revokeCert payload has no \"certificate\" string (base64url of the certificate's DER)");
        }

        if (!StrictBase64Url.TryDecode(certificateElement.GetString()!, out var der) || der.Length == 0)
        {
            return Malformed("the revokeCert \"certificate\" is not unpadded base64url of DER");
        }

        var reason = RevocationReason.Unspecified;
        if (root.TryGetProperty("reason", out var reasonElement))
        {
            if (reasonElement.ValueKind != JsonValueKind.Number || !reasonElement.TryGetInt32(out var code))
            {
                return new AcmeProblem(AcmeErrorType.BadRevocationReason, $"the revokeCert \"reason\" must be an integer; use one of {AllowedCodes()}");
            }

            if (!AllowedReasons.Contains((RevocationReason)code))
            {
                return new AcmeProblem(AcmeErrorType.BadRevocationReason, $"revocation reason {code} is not accepted; use one of {AllowedCodes()}");
            }

            reason = (RevocationReason)code;
        }

        if (SerialOf(der) is not { } serial)
        {
            return Malformed("the revokeCert \"certificate\" is not a DER X.509 certificate");
        }

        request = new AcmeRevocationRequest(der, serial, reason);
        return null;
    }

    private static string? SerialOf(byte[] der)
    {
        try
        {
            System.Formats.Asn1.AsnDecoder.ReadEncodedValue(der, System.Formats.Asn1.AsnEncodingRules.DER, out _, out _, out int length);
            if (length != der.Length)
            {
                return null;
            }

            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return Convert.ToHexStringLower(certificate.SerialNumberBytes.Span);
        }
        catch (Exception e) when (e is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            return null;
        }
    }

    private static string AllowedCodes() =>
        string.Join(", ", AllowedReasons.Select(r => $"{(int)r} ({char.ToLowerInvariant(r.ToString()[0])}{r.ToString()[1..]})"));

    private static AcmeProblem Malformed(string detail) => new(AcmeErrorType.Malformed, detail);
}
