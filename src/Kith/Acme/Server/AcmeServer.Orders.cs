using System.Text.Json;
using Kith.Acme.Issuance;
using Kith.Acme.Jws;
using Kith.Acme.Store;
using Kith.Pki;
using Kith.Storage;
using Microsoft.Extensions.Logging;

namespace Kith.Acme.Server;

public sealed partial class AcmeServer
{
    private const string Http01 = "http-01";
    private const string Dns01 = "dns-01";
    private const string TlsAlpn01 = "tls-alpn-01";
    private const string AcmeService = "acme";
    private const int SerialAttempts = 3;

    private async Task<AcmeHttpResponse> NewOrderAsync(AcmeJwsRequest jws, AcmeAccount account, AcmeUrls urls, CancellationToken cancellationToken)
    {
        using var payload = ParsePayload(jws, out var payloadProblem);
        if (payload is null)
        {
            return Problem(payloadProblem!);
        }

        var root = payload.RootElement;
        if (root.TryGetProperty("notBefore", out _) || root.TryGetProperty("notAfter", out _))
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "notBefore and notAfter are not supported: certificates start now and live as long as the fleet's leaf validity; leave them out"));
        }

        if (ReadIdentifiers(root, out var identifiers) is { } identifierProblem)
        {
            return Problem(identifierProblem);
        }

        var authority = currentAuthority();
        if (authority.Policy.Check(identifiers) is { } policyProblem)
        {
            return Problem(policyProblem);
        }

        string? replaces = null;
        if (root.TryGetProperty("replaces", out var replacesElement))
        {
            if (await CheckReplacesAsync(replacesElement, account, authority, cancellationToken).ConfigureAwait(false) is { } replacesProblem)
            {
                return Problem(replacesProblem);
            }

            replaces = replacesElement.GetString();
        }

        if (!orderLimiter.TryTake(account.Id, out var retryAfter))
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            return Problem(new AcmeProblem(AcmeErrorType.RateLimited, $"this account may create {options.OrdersPerMinute:0.##} orders a minute (burst {options.OrderBurst}); retry after {seconds} s"), seconds);
        }

        var now = time.GetUtcNow();
        var expires = now + options.OrderLifetime;
        var orderId = AcmeIds.New();
        var authorizations = identifiers.Select(identifier => NewAuthorization(account.Id, orderId, identifier, expires)).ToList();
        var order = new AcmeOrder(orderId, account.Id, AcmeOrderStatus.Pending, identifiers, [.. authorizations.Select(a => a.Id)], expires, null, null, null, null, replaces, now);
        await store.CreateOrderAsync(order, authorizations, cancellationToken).ConfigureAwait(false);
        return Json(201, AcmeResources.Order(order, order.Status, urls), urls.Order(order.Id));
    }

    private static AcmeAuthorization NewAuthorization(string accountId, string orderId, AcmeIdentifier identifier, DateTimeOffset expires)
    {
        var wildcard = identifier.Type == AcmeIdentifier.Dns && identifier.Value.StartsWith("*.", StringComparison.Ordinal);
        var authorized = wildcard ? identifier with { Value = identifier.Value[2..] } : identifier;
        string[] types = wildcard ? [Dns01] : identifier.Type == AcmeIdentifier.Ip ? [Http01, TlsAlpn01] : [Http01, Dns01, TlsAlpn01];
        var id = AcmeIds.New();
        var challenges = types.Select(type => new AcmeChallenge(AcmeIds.New(), id, type, AcmeIds.New(), AcmeChallengeStatus.Pending, null, null)).ToList();
        return new AcmeAuthorization(id, accountId, orderId, authorized, wildcard, AcmeAuthorizationStatus.Pending, expires, challenges);
    }

    private static AcmeProblem? ReadIdentifiers(JsonElement root, out List<AcmeIdentifier> identifiers)
    {
        identifiers = [];
        if (!root.TryGetProperty("identifiers", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the order needs \"identifiers\": an array of {\"type\": \"dns\", \"value\": name}");
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return new AcmeProblem(AcmeErrorType.Malformed, "each identifier must be an object with string \"type\" and \"value\"");
            }

            identifiers.Add(new AcmeIdentifier(type.GetString()!, value.GetString()!));
        }

        return null;
    }

    /// <summary>RFC 9773 §5: "replaces" must name a certificate this account was issued.</summary>
    private async Task<AcmeProblem?> CheckReplacesAsync(JsonElement element, AcmeAccount account, AcmeIssuingAuthority authority, CancellationToken cancellationToken)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "replaces must be a certificate identifier string");
        }

        if (!CertificateIdentifier.TryParse(element.GetString(), out var identifier, out var error))
        {
            return new AcmeProblem(AcmeErrorType.Malformed, $"replaces: {error}");
        }

        var order = SerialIssuedBy(identifier!, authority) is { } serialHex
            ? await store.FindOrderByCertificateSerialAsync(serialHex, cancellationToken).ConfigureAwait(false)
            : null;
        return order is null || order.AccountId != account.Id
            ? new AcmeProblem(AcmeErrorType.Malformed, "replaces names a certificate this account was not issued by this server")
            : null;
    }

    private async Task<AcmeHttpResponse> OrderAsync(AcmeJwsRequest jws, AcmeAccount account, string orderId, AcmeUrls urls, CancellationToken cancellationToken)
    {
        if (!jws.IsPostAsGet)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "read an order with POST-as-GET (an empty payload)"));
        }

        var order = await FindOwnOrderAsync(account, orderId, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return NotFound("order");
        }

        var status = await EffectiveStatusAsync(order, cancellationToken).ConfigureAwait(false);
        return Json(200, AcmeResources.Order(order, status, urls), urls.Order(order.Id), status == AcmeOrderStatus.Processing ? options.PollRetryAfterSeconds : null);
    }

    private async Task<AcmeHttpResponse> FinalizeAsync(AcmeJwsRequest jws, AcmeAccount account, string orderId, AcmeUrls urls, CancellationToken cancellationToken)
    {
        var order = await FindOwnOrderAsync(account, orderId, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return NotFound("order");
        }

        var status = await EffectiveStatusAsync(order, cancellationToken).ConfigureAwait(false);
        if (status != AcmeOrderStatus.Ready)
        {
            return Problem(new AcmeProblem(AcmeErrorType.OrderNotReady, $"the order is {AcmeResources.Name(status)}, not ready: {NotReadyAdvice(status)}"));
        }

        using var payload = ParsePayload(jws, out var payloadProblem);
        if (payload is null)
        {
            return Problem(payloadProblem!);
        }

        if (!payload.RootElement.TryGetProperty("csr", out var csrElement) || csrElement.ValueKind != JsonValueKind.String
            || !StrictBase64Url.TryDecode(csrElement.GetString()!, out var csrDer))
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "finalize needs \"csr\": the DER CSR in unpadded base64url"));
        }

        if (!AcmeCsr.TryRead(csrDer, order.Identifiers, jws.Key, out var csr, out var csrProblem))
        {
            return Problem(csrProblem!);
        }

        if (await certificates.IsKeyBlockedAsync(csr!.SubjectPublicKeyInfo.ToArray(), cancellationToken).ConfigureAwait(false))
        {
            return Problem(CompromisedKey("the CSR's key"));
        }

        if (!await store.TryBeginFinalizeAsync(order.Id, cancellationToken).ConfigureAwait(false))
        {
            return Problem(new AcmeProblem(AcmeErrorType.OrderNotReady, "the order is already being finalized or was finalized; poll the order"));
        }

        var authority = currentAuthority();
        var issued = await IssueAsync(authority, order, csr!, cancellationToken).ConfigureAwait(false);
        if (issued.Problem is not null)
        {
            await store.AbandonFinalizeAsync(order.Id, CancellationToken.None).ConfigureAwait(false);
            return Problem(issued.Problem);
        }

        LogIssued(logger, issued.Certificate!.SerialHex, string.Join(", ", issued.Certificate.Names), account.Id, issued.Certificate.NotAfter);
        var valid = order with { Status = AcmeOrderStatus.Valid, CertificateSerial = issued.Certificate.SerialHex };
        return Json(200, AcmeResources.Order(valid, valid.Status, urls), urls.Order(order.Id));
    }

    private async Task<(IssuedCertificate? Certificate, AcmeProblem? Problem)> IssueAsync(AcmeIssuingAuthority authority, AcmeOrder order, AcmeCsrRequest csr, CancellationToken cancellationToken)
    {
        var ca = authority.Authority;
        var (notBefore, notAfter) = CertificateValidity.LeafWindow(time.GetUtcNow(), authority.LeafLifetime, ca);
        var wildcard = order.Identifiers.Any(i => i.Value.StartsWith("*.", StringComparison.Ordinal));
        var request = new LeafRequest(csr.DnsNames, csr.IpAddresses, CertificateUsage.Server, csr.SubjectPublicKeyInfo, notBefore, notAfter, AllowWildcard: wildcard);
        for (var attempt = 1; ; attempt++)
        {
            IssuedCertificate issued;
            try
            {
                issued = authority.Issue(request);
            }
            catch (PolicyViolationException e)
            {
                return (null, new AcmeProblem(AcmeErrorType.BadCsr, e.Message));
            }

            var record = new CertificateRecord(ca.Name, issued.SerialHex, CertificateKind.Server, issued.Names, ca.Name, AcmeService, issued.NotBefore, issued.NotAfter, Der: issued.Der);
            try
            {
                return await store.CompleteFinalizeAsync(order.Id, record, cancellationToken).ConfigureAwait(false)
                    ? (issued, null)
                    : (null, new AcmeProblem(AcmeErrorType.OrderNotReady, "the order changed while it was finalized; poll the order"));
            }
            catch (DuplicateSerialException) when (attempt < SerialAttempts)
            {
                // 126 random bits collided: draw another serial.
            }
        }
    }

    private async Task<AcmeHttpResponse> CertificateAsync(AcmeJwsRequest jws, AcmeAccount account, string orderId, CancellationToken cancellationToken)
    {
        if (!jws.IsPostAsGet)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "download a certificate with POST-as-GET (an empty payload)"));
        }

        var order = await FindOwnOrderAsync(account, orderId, cancellationToken).ConfigureAwait(false);
        if (order?.CertificateSerial is null || order.Status != AcmeOrderStatus.Valid)
        {
            return NotFound("certificate");
        }

        var authority = currentAuthority();
        var der = await store.FindCertificateDerAsync(authority.Authority.Name, order.CertificateSerial, cancellationToken).ConfigureAwait(false);
        if (der is null)
        {
            return NotFound("certificate");
        }

        var chain = System.Text.Encoding.ASCII.GetBytes(Pem.Encode("CERTIFICATE", der) + authority.ChainPem);
        return new AcmeHttpResponse(200, CertificateChainMediaType, chain);
    }

    private async Task<AcmeOrder?> FindOwnOrderAsync(AcmeAccount account, string orderId, CancellationToken cancellationToken)
    {
        var order = await store.FindOrderAsync(orderId, cancellationToken).ConfigureAwait(false);
        return order is not null && order.AccountId == account.Id ? order : null;
    }

    /// <summary>The order's status as of now: a pending or ready order past its expiry is invalid (and recorded so).</summary>
    private async Task<AcmeOrderStatus> EffectiveStatusAsync(AcmeOrder order, CancellationToken cancellationToken)
    {
        if (order.Status is AcmeOrderStatus.Pending or AcmeOrderStatus.Ready && order.Expires <= time.GetUtcNow())
        {
            await store.InvalidateOrderAsync(order.Id, new AcmeStoredError(AcmeErrorType.Malformed, "the order expired before it was finalized; create a new order"), cancellationToken).ConfigureAwait(false);
            return AcmeOrderStatus.Invalid;
        }

        return order.Status;
    }

    private static string NotReadyAdvice(AcmeOrderStatus status) => status switch
    {
        AcmeOrderStatus.Pending => "complete its authorizations first",
        AcmeOrderStatus.Processing => "it is being finalized; poll the order",
        AcmeOrderStatus.Valid => "it is finalized; download the certificate",
        _ => "it failed or expired; create a new order",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: issued {Serial} for {Names} to account {Account}, valid until {NotAfter:u}")]
    private static partial void LogIssued(ILogger logger, string serial, string names, string account, DateTimeOffset notAfter);
}
