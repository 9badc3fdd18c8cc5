using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kith.Acme.Issuance;
using Kith.Acme.Jws;
using Kith.Acme.Store;
using Kith.Storage;
using Microsoft.Extensions.Logging;

namespace Kith.Acme.Server;

public sealed partial class AcmeServer
{
    /// <summary>RFC 8555 §7.6: signed by the account that ordered the certificate, or by the certificate's own key.</summary>
    private async Task<AcmeHttpResponse> RevokeCertificateAsync(AcmeJwsRequest jws, AcmeAccount? account, CancellationToken cancellationToken)
    {
        if (account is not null && account.Status != AcmeAccountStatus.Valid)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Unauthorized, $"the account is {AcmeResources.Name(account.Status)}"));
        }

        if (jws.IsPostAsGet)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "revokeCert needs a payload with \"certificate\""));
        }

        if (!AcmeRevocation.TryRead(jws.Payload, out var revocation, out var problem))
        {
            return Problem(problem!);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(revocation!.CertificateDer.Span);
        }
        catch (CryptographicException)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "\"certificate\" is not a DER X.509 certificate"));
        }

        using (certificate)
        {
            var authority = currentAuthority();
            var serialHex = revocation.SerialHex;
            var record = await certificates.FindAsync(authority.Authority.Name, serialHex, cancellationToken).ConfigureAwait(false);
            if (record?.Der is null || !record.Der.AsSpan().SequenceEqual(certificate.RawDataMemory.Span))
            {
                return Problem(new AcmeProblem(AcmeErrorType.Malformed, "this server did not issue that certificate", Status: 404));
            }

            if (account is not null)
            {
                var order = await store.FindOrderByCertificateSerialAsync(serialHex, cancellationToken).ConfigureAwait(false);
                if (order is null || order.AccountId != account.Id)
                {
                    return Problem(new AcmeProblem(AcmeErrorType.Unauthorized, "this account did not order that certificate; sign the request with the certificate's key instead"));
                }
            }
            else if (!AcmeRevocation.KeyMatchesCertificate(jws.Key, certificate))
            {
                return Problem(new AcmeProblem(AcmeErrorType.Unauthorized, "the jwk is not the certificate's key; sign with the certificate's key or the account that ordered it"));
            }

            var now = time.GetUtcNow();
            if (revocation.Reason == RevocationReason.KeyCompromise)
            {
                // Even for a certificate revoked before for another reason: the key is now known to be lost.
                var key = certificate.PublicKey.ExportSubjectPublicKeyInfo();
                await certificates.BlockKeyAsync(CanonicalPublicKey.Of(key) ?? key, RevocationReason.KeyCompromise, now, cancellationToken).ConfigureAwait(false);
            }

            if (record.IsRevoked)
            {
                return Problem(new AcmeProblem(AcmeErrorType.AlreadyRevoked, $"the certificate was already revoked at {AcmeTime.Format(record.RevokedAt!.Value)}"));
            }

            await certificates.RevokeAsync(authority.Authority.Name, serialHex, now, revocation.Reason, cancellationToken).ConfigureAwait(false);
            LogRevoked(logger, serialHex, string.Join(", ", record.Names), revocation.Reason, account is null ? "its own key" : "account " + account.Id);
            return new AcmeHttpResponse(200);
        }
    }

    /// <summary>RFC 9773: when to renew. A revoked certificate gets a window in the past: renew now.</summary>
    private async Task<AcmeHttpResponse> RenewalInfoAsync(string certificateId, CancellationToken cancellationToken)
    {
        if (!CertificateIdentifier.TryParse(certificateId, out var identifier, out var error))
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, $"renewalInfo: {error}"));
        }

        var authority = currentAuthority();
        var record = SerialIssuedBy(identifier!, authority) is { } serialHex
            ? await certificates.FindAsync(authority.Authority.Name, serialHex, cancellationToken).ConfigureAwait(false)
            : null;
        if (record is null)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "this server did not issue a certificate with that identifier", Status: 404));
        }

        var (start, end) = record.IsRevoked
            ? (time.GetUtcNow() - TimeSpan.FromHours(2), time.GetUtcNow() - TimeSpan.FromHours(1))
            : RenewalWindow.Suggested(record.NotBefore, record.NotAfter);
        return Json(200, RenewalWindow.ToJson(start, end), retryAfterSeconds: options.RenewalInfoRetryAfterSeconds);
    }

    /// <summary>The serial (lower-case hex, as the issuance log keeps it) when the RFC 9773 identifier names this Host CA's key, else null.</summary>
    private static string? SerialIssuedBy(CertificateIdentifier identifier, AcmeIssuingAuthority authority) =>
        identifier.KeyIdentifier.Span.SequenceEqual(authority.Authority.SubjectKeyIdentifier)
            ? Convert.ToHexStringLower(identifier.Serial.Span)
            : null;

    /// <summary>badPublicKey for a key blocked after a keyCompromise revocation (the store's blocked keys).</summary>
    private static AcmeProblem CompromisedKey(string which) =>
        new(AcmeErrorType.BadPublicKey, $"{which}: this key was reported compromised; use a new key");

    [LoggerMessage(Level = LogLevel.Warning, Message = "acme: revoked {Serial} ({Names}), reason {Reason}, asked by {Who}")]
    private static partial void LogRevoked(ILogger logger, string serial, string names, RevocationReason reason, string who);
}
