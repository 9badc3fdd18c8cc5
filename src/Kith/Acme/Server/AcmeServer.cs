using System.Collections.Concurrent;
using System.Text.Json;
using Kith.Acme.Jws;
using Kith.Acme.Store;
using Kith.Acme.Validation;
using Kith.Storage;
using Microsoft.Extensions.Logging;

namespace Kith.Acme.Server;

/// <summary>
/// kith's ACME server (RFC 8555 with RFC 9773 renewalInfo), independent of the web framework: the agent hands
/// it each request under <see cref="AcmeServerOptions.BasePath"/> and writes back the response. Every answer
/// carries a fresh Replay-Nonce and the directory Link; every client mistake is a problem document (RFC 8555
/// §6.7), never an exception. docs/acme.md describes the choices.
/// </summary>
public sealed partial class AcmeServer : IDisposable
{
    internal const string JoseMediaType = "application/jose+json";
    internal const string CertificateChainMediaType = "application/pem-certificate-chain";
    private const string JsonMediaType = "application/json";
    private const int MaxCachedDirectories = 16;
    private const int MaxCachedAccounts = 10_000;

    private static readonly JsonDocumentOptions PayloadOptions = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    private readonly AcmeServerOptions options;
    private readonly IAcmeStore store;
    private readonly ICertificateStore certificates;
    private readonly Func<AcmeIssuingAuthority> currentAuthority;
    private readonly NonceStore nonces;
    private readonly IReadOnlyDictionary<string, IChallengeValidator> validators;
    private readonly ChallengeValidationQueue validationQueue;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly AccountRateLimiter orderLimiter;
    private readonly ConcurrentDictionary<string, CachedAccount> accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> directories = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private int disposed;

    /// <param name="currentAuthority">The Host CA to issue from, asked on every order (the agent swaps in a newly installed one).</param>
    /// <param name="validators">By challenge type: http-01, dns-01, tls-alpn-01.</param>
    public AcmeServer(
        AcmeServerOptions options,
        IAcmeStore store,
        ICertificateStore certificates,
        Func<AcmeIssuingAuthority> currentAuthority,
        IEnumerable<IChallengeValidator> validators,
        ChallengeValidationQueue validationQueue,
        ILogger logger,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validators);
        this.options = options;
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.certificates = certificates ?? throw new ArgumentNullException(nameof(certificates));
        this.currentAuthority = currentAuthority ?? throw new ArgumentNullException(nameof(currentAuthority));
        this.validators = validators.ToDictionary(v => v.ChallengeType, StringComparer.Ordinal);
        this.validationQueue = validationQueue ?? throw new ArgumentNullException(nameof(validationQueue));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        this.time = time ?? TimeProvider.System;
        nonces = new NonceStore(this.time);
        orderLimiter = new AccountRateLimiter(options.OrdersPerMinute, options.OrderBurst, this.time);
    }

    /// <summary>The largest request body the server reads; the transport may stop reading one byte after it.</summary>
    public int MaxBodyBytes => options.MaxBodyBytes;

    /// <summary>Answers one request. Only a failure of kith itself (the store, a bug) becomes a 500 serverInternal, and it is logged.</summary>
    public async Task<AcmeHttpResponse> HandleAsync(AcmeHttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || !url.AbsolutePath.StartsWith(options.BasePath, StringComparison.Ordinal))
        {
            return new AcmeHttpResponse(404);
        }

        var urls = new AcmeUrls(url.GetLeftPart(UriPartial.Authority) + options.BasePath);
        var path = url.AbsolutePath[options.BasePath.Length..];
        AcmeHttpResponse response;
        try
        {
            response = await RouteAsync(request, urls, path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogInternalError(logger, request.Method, path, e);
            response = Problem(new AcmeProblem(AcmeErrorType.ServerInternal, "the server failed to handle this request; it is logged on the agent, try again later"));
        }

        response.ReplayNonce ??= nonces.Issue();
        response.Links.Add(urls.IndexLink);
        return response;
    }

    /// <summary>Stops validations still running (their challenges stay processing and resume at the next start).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            stopping.Cancel();
            stopping.Dispose();
        }
    }

    private Task<AcmeHttpResponse> RouteAsync(AcmeHttpRequest request, AcmeUrls urls, string path, CancellationToken cancellationToken)
    {
        var method = request.Method;
        switch (path)
        {
            case AcmeDirectory.DirectoryPath:
                return Task.FromResult(method is "GET" or "HEAD" ? Directory(urls) : MethodNotAllowed("GET"));
            case AcmeDirectory.NewNoncePath:
                return Task.FromResult(method switch
                {
                    "HEAD" => new AcmeHttpResponse(200) { NoStore = true },
                    "GET" => new AcmeHttpResponse(204) { NoStore = true },
                    _ => MethodNotAllowed("HEAD, GET"),
                });
        }

        if (path.StartsWith(AcmeDirectory.RenewalInfoPath + "/", StringComparison.Ordinal))
        {
            return method is "GET" or "HEAD"
                ? RenewalInfoAsync(path[(AcmeDirectory.RenewalInfoPath.Length + 1)..], cancellationToken)
                : Task.FromResult(MethodNotAllowed("GET"));
        }

        if (method != "POST")
        {
            return Task.FromResult(MethodNotAllowed("POST"));
        }

        return PostAsync(request, urls, path, cancellationToken);
    }

    private async Task<AcmeHttpResponse> PostAsync(AcmeHttpRequest request, AcmeUrls urls, string path, CancellationToken cancellationToken)
    {
        if (!IsJose(request.ContentType))
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, $"the Content-Type must be {JoseMediaType}, not \"{request.ContentType}\"", Status: 415));
        }

        CachedAccount? signer = null;
        var verified = AcmeJwsVerifier.Verify(request.Body.Span, options.MaxBodyBytes, kid =>
        {
            signer = FindAccountForKid(urls, kid, cancellationToken);
            return signer?.Key;
        });
        if (verified.Problem is not null)
        {
            return Problem(verified.Problem);
        }

        var jws = verified.Request!;
        if (!nonces.TryRedeem(jws.Nonce))
        {
            return Problem(new AcmeProblem(AcmeErrorType.BadNonce, "the nonce is unknown, expired or already used; retry with the nonce in this response's Replay-Nonce header"));
        }

        if (jws.CheckUrl(request.Url) is { } urlProblem)
        {
            return Problem(urlProblem);
        }

        if (path == AcmeDirectory.NewAccountPath)
        {
            return await NewAccountAsync(jws, urls, cancellationToken).ConfigureAwait(false);
        }

        if (path == AcmeDirectory.RevokeCertPath)
        {
            return await RevokeCertificateAsync(jws, signer?.Account, cancellationToken).ConfigureAwait(false);
        }

        // Every other resource acts for an account: the request must name it by kid.
        if (signer is null)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Malformed, "this request must be signed with the account key and name the account URL in \"kid\", not carry a \"jwk\""));
        }

        if (signer.Account.Status != AcmeAccountStatus.Valid)
        {
            return Problem(new AcmeProblem(AcmeErrorType.Unauthorized, $"the account is {AcmeResources.Name(signer.Account.Status)}; create a new account"));
        }

        var account = signer.Account;
        if (path == AcmeDirectory.NewOrderPath)
        {
            return await NewOrderAsync(jws, account, urls, cancellationToken).ConfigureAwait(false);
        }

        if (path == AcmeDirectory.KeyChangePath)
        {
            return await KeyChangeAsync(jws, account, urls, cancellationToken).ConfigureAwait(false);
        }

        if (TrySplit(path, AcmeUrls.AccountSegment, out var accountId, out var accountRest))
        {
            return accountRest switch
            {
                "" => await UpdateAccountAsync(jws, account, accountId, urls, cancellationToken).ConfigureAwait(false),
                AcmeUrls.OrdersSuffix => await AccountOrdersAsync(account, accountId, urls, cancellationToken).ConfigureAwait(false),
                _ => NotFound(),
            };
        }

        if (TrySplit(path, AcmeUrls.OrderSegment, out var orderId, out var orderRest))
        {
            return orderRest switch
            {
                "" => await OrderAsync(jws, account, orderId, urls, cancellationToken).ConfigureAwait(false),
                AcmeUrls.FinalizeSuffix => await FinalizeAsync(jws, account, orderId, urls, cancellationToken).ConfigureAwait(false),
                _ => NotFound(),
            };
        }

        if (TrySplit(path, AcmeUrls.AuthorizationSegment, out var authorizationId, out var authorizationRest) && authorizationRest.Length == 0)
        {
            return await AuthorizationAsync(jws, account, authorizationId, urls, cancellationToken).ConfigureAwait(false);
        }

        if (TrySplit(path, AcmeUrls.ChallengeSegment, out var challengeId, out var challengeRest) && challengeRest.Length == 0)
        {
            return await ChallengeAsync(jws, account, challengeId, urls, cancellationToken).ConfigureAwait(false);
        }

        if (TrySplit(path, AcmeUrls.CertificateSegment, out var certificateOrderId, out var certificateRest) && certificateRest.Length == 0)
        {
            return await CertificateAsync(jws, account, certificateOrderId, cancellationToken).ConfigureAwait(false);
        }

        return NotFound();
    }

    private AcmeHttpResponse Directory(AcmeUrls urls)
    {
        // The base comes from the client's Host header: keep a few, so odd headers cannot grow the cache.
        if (directories.Count >= MaxCachedDirectories)
        {
            directories.Clear();
        }

        var body = directories.GetOrAdd(urls.Base, b => new AcmeDirectory(new Uri(b), options.CaaIdentities, externalAccountRequired: options.ExternalAccountRequired).ToJson());
        return new AcmeHttpResponse(200, JsonMediaType, body);
    }

    private CachedAccount? FindAccountForKid(AcmeUrls urls, string kid, CancellationToken cancellationToken)
    {
        if (urls.AccountIdOf(kid) is not { } id)
        {
            return null;
        }

        if (accounts.TryGetValue(id, out var cached))
        {
            return cached;
        }

        // The verifier asks synchronously; Microsoft.Data.Sqlite completes its async calls synchronously anyway.
        var account = store.FindAccountAsync(id, cancellationToken).GetAwaiter().GetResult();
        return account is null ? null : Cache(account);
    }

    private CachedAccount? Cache(AcmeAccount account)
    {
        using var jwk = JsonDocument.Parse(account.Jwk);
        if (!AcmeJwkParser.TryParse(jwk.RootElement, out var key, out _))
        {
            return null;
        }

        var cached = new CachedAccount(account, key!);
        if (accounts.Count >= MaxCachedAccounts)
        {
            accounts.Clear();
        }

        accounts[account.Id] = cached;
        return cached;
    }

    private void Forget(string accountId) => accounts.TryRemove(accountId, out _);

    private static bool TrySplit(string path, string segment, out string id, out string rest)
    {
        id = rest = string.Empty;
        if (!path.StartsWith(segment, StringComparison.Ordinal))
        {
            return false;
        }

        var tail = path.AsSpan(segment.Length);
        var slash = tail.IndexOf('/');
        var candidate = slash < 0 ? tail : tail[..slash];
        if (!AcmeIds.LooksValid(candidate))
        {
            return false;
        }

        id = candidate.ToString();
        rest = slash < 0 ? string.Empty : tail[slash..].ToString();
        return true;
    }

    private static bool IsJose(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(JoseMediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The payload as a JSON object, or the malformed problem to answer.</summary>
    private static JsonDocument? ParsePayload(AcmeJwsRequest jws, out AcmeProblem? problem)
    {
        problem = null;
        if (jws.IsPostAsGet)
        {
            problem = new AcmeProblem(AcmeErrorType.Malformed, "this resource needs a JSON object as payload, not POST-as-GET");
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(jws.Payload, PayloadOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            problem = new AcmeProblem(AcmeErrorType.Malformed, "the payload must be a JSON object");
        }
        catch (JsonException e)
        {
            problem = new AcmeProblem(AcmeErrorType.Malformed, $"the payload is not valid JSON: {e.Message}");
        }

        return null;
    }

    internal static AcmeHttpResponse Problem(AcmeProblem problem, int? retryAfterSeconds = null) =>
        new(problem.HttpStatus, AcmeProblem.MediaType, problem.ToJson()) { RetryAfterSeconds = retryAfterSeconds };

    private static AcmeHttpResponse Json(int status, byte[] body, string? location = null, int? retryAfterSeconds = null) =>
        new(status, JsonMediaType, body) { Location = location, RetryAfterSeconds = retryAfterSeconds };

    private static AcmeHttpResponse NotFound(string what = "resource") =>
        Problem(new AcmeProblem(AcmeErrorType.Malformed, $"no such {what} for this account", Status: 404));

    private static AcmeHttpResponse MethodNotAllowed(string allow) =>
        new(405, AcmeProblem.MediaType, new AcmeProblem(AcmeErrorType.Malformed, $"use {allow} here (ACME reads resources with POST-as-GET, RFC 8555 §6.3)", Status: 405).ToJson()) { Allow = allow };

    private sealed record CachedAccount(AcmeAccount Account, AcmeAccountKey Key);

    [LoggerMessage(Level = LogLevel.Error, Message = "acme: {Method} {Path} failed inside kith")]
    private static partial void LogInternalError(ILogger logger, string method, string path, Exception exception);
}
