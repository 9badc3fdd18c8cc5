using System.Formats.Asn1;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Acme.Validation;

/// <summary>
/// tls-alpn-01 (RFC 8737): a TLS handshake to name:443 with SNI = name and the single ALPN
/// protocol "acme-tls/1". Any certificate is accepted during the handshake; afterwards it must
/// carry exactly one subjectAltName, a dNSName equal to the name, and a critical
/// id-pe-acmeIdentifier extension whose value is the DER OCTET STRING of SHA-256(key authorization).
/// </summary>
public sealed class TlsAlpn01Validator(ChallengeValidationOptions options) : IChallengeValidator
{
    public const string AlpnProtocol = "acme-tls/1";
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";
    private const string SubjectAltNameOid = "2.5.29.17";

    public string ChallengeType => "tls-alpn-01";

    public async Task<ChallengeResult> ValidateAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        var target = $"{request.Identifier}:{options.TlsAlpnPort}";
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(options.TotalTimeout);
        try
        {
            using var socket = await options.ConnectAsync(request.Identifier, options.TlsAlpnPort, total.Token).ConfigureAwait(false);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
            await using (tls.ConfigureAwait(false))
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = request.Identifier,
                        ApplicationProtocols = [new SslApplicationProtocol(AlpnProtocol)],
                        // The certificate is self-signed by design (RFC 8737 §3); it is checked below instead.
                        RemoteCertificateValidationCallback = (_, _, _, _) => true,
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    },
                    total.Token).ConfigureAwait(false);

                if (tls.NegotiatedApplicationProtocol != new SslApplicationProtocol(AlpnProtocol))
                {
                    var negotiated = tls.NegotiatedApplicationProtocol.Protocol.Length == 0 ? "no ALPN protocol" : $"ALPN \"{tls.NegotiatedApplicationProtocol}\"";
                    return ChallengeResult.Invalid(AcmeErrorType.Tls, $"{target} negotiated {negotiated}, not \"{AlpnProtocol}\"");
                }

                if (tls.RemoteCertificate is null)
                {
                    return ChallengeResult.Invalid(AcmeErrorType.Tls, $"{target} sent no certificate");
                }

                using var certificate = new X509Certificate2(tls.RemoteCertificate);
                return CheckCertificate(target, certificate, request);
            }
        }
        catch (ChallengeNetworkException e)
        {
            return ChallengeResult.Invalid(e.ProblemType, $"{target}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Connection, $"{target} did not complete a TLS handshake within {options.TotalTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Tls, $"TLS handshake with {target} failed: {e.Message}");
        }
    }

    private static ChallengeResult CheckCertificate(string target, X509Certificate2 certificate, ChallengeRequest request)
    {
        var sanExtension = certificate.Extensions[SubjectAltNameOid];
        if (sanExtension is null)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{target} presented a certificate without subjectAltName");
        }

        List<string> names;
        try
        {
            names = ReadGeneralNames(sanExtension.RawData);
        }
        catch (AsnContentException)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{target} presented a certificate with a malformed subjectAltName");
        }

        if (names.Count != 1 || !string.Equals(names[0], "DNS:" + request.Identifier, StringComparison.OrdinalIgnoreCase))
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{target} presented a certificate for {string.Join(", ", names)}; expected exactly one name, DNS:{request.Identifier}");
        }

        var identifier = certificate.Extensions[AcmeIdentifierOid];
        if (identifier is null)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{target} presented a certificate without the acmeIdentifier extension ({AcmeIdentifierOid})");
        }

        if (!identifier.Critical)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{target} presented a certificate whose acmeIdentifier extension is not critical");
        }

        byte[] digest;
        try
        {
            digest = AsnDecoder.ReadOctetString(identifier.RawData, AsnEncodingRules.DER, out var consumed);
            if (consumed != identifier.RawData.Length)
            {
                throw new AsnContentException();
            }
        }
        catch (AsnContentException)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{target} presented a certificate whose acmeIdentifier is not a DER OCTET STRING");
        }

        var expected = KeyAuthorizationDigest.Sha256(request.KeyAuthorization);
        if (!digest.AsSpan().SequenceEqual(expected))
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{target} presented acmeIdentifier {Convert.ToHexStringLower(digest)}, expected SHA-256 of the key authorization {Convert.ToHexStringLower(expected)}");
        }

        return ChallengeResult.Valid($"{target} presented a valid acme-tls/1 certificate");
    }

    /// <summary>The GeneralNames of a subjectAltName as "DNS:name", "IP:…" or "other:[tag]".</summary>
    private static List<string> ReadGeneralNames(byte[] der)
    {
        var names = new List<string>();
        var sequence = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        while (sequence.HasData)
        {
            var tag = sequence.PeekTag();
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 2)
            {
                names.Add("DNS:" + sequence.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 2)));
            }
            else if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 7)
            {
                var bytes = sequence.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7));
                names.Add("IP:" + (bytes.Length is 4 or 16 ? new System.Net.IPAddress(bytes).ToString() : Convert.ToHexStringLower(bytes)));
            }
            else
            {
                sequence.ReadEncodedValue();
                names.Add($"other:[{tag.TagValue}]");
            }
        }

        return names;
    }
}
