using System.Buffers;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Kith.Enrollment;
using Kith.Pki;
using Kith.Revocation.Ocsp;
using Kith.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// The agent's OCSP responder over plain HTTP (docs/ocsp.md): <c>GET /ocsp/&lt;base64 request&gt;</c> and
/// <c>POST /ocsp</c>, answered by an <see cref="OcspResponder"/> for the Host CA now installed (rebuilt when the
/// agent installs a new one). A background loop pre-signs at start and after <see cref="Invalidate"/>, and re-signs
/// answers before they expire. Every failure is an OCSP error answer with status 200, never a 500.
/// </summary>
internal sealed partial class AgentOcsp : IAsyncDisposable
{
    public const string RequestContentType = "application/ocsp-request";
    public const string ResponseContentType = "application/ocsp-response";

    /// <summary>How often the background loop looks for answers to re-sign, a signer to renew or a new Host CA.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private const string Prefix = "/ocsp";

    /// <summary>Base64 of a request of <see cref="OcspRequestReader.MaxBytes"/>, URL-encoded at worst (3 characters for one).</summary>
    private const int MaxEncodedLength = (OcspRequestReader.MaxBytes + 2) / 3 * 4 * 3;

    private readonly AgentIdentity identity;
    private readonly SqliteCertificateStore store;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim wake = new(0, 1);
    private volatile Built current;
    private Task loop = Task.CompletedTask;

    private AgentOcsp(AgentIdentity identity, SqliteCertificateStore store, ILogger logger, Built current)
    {
        this.identity = identity;
        this.store = store;
        this.logger = logger;
        this.current = current;
    }

    /// <summary>The responder answering now.</summary>
    public OcspResponder Responder => current.Responder;

    /// <summary>Opens the issuance log, issues and logs the first signing certificate, and starts the background loop.</summary>
    public static AgentOcsp Open(AgentFolder folder, AgentIdentity identity, ILogger logger)
    {
        var store = SqliteCertificateStore.OpenAsync(folder.Store).GetAwaiter().GetResult();
        try
        {
            var built = BuildAsync(identity, store, CancellationToken.None).GetAwaiter().GetResult();
            var ocsp = new AgentOcsp(identity, store, logger, built);
            LogSigner(logger, built.Responder.Signer.Certificate.SerialNumber.ToLowerInvariant(), built.Responder.Signer.NotAfter);
            ocsp.loop = ocsp.RunAsync();
            return ocsp;
        }
        catch
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>
    /// The issuance log changed (a certificate logged or revoked): every cached answer goes at once, and the background
    /// loop signs them again. The agent's store monitor calls this.
    /// </summary>
    public void Invalidate()
    {
        current.Responder.Invalidate();
        Wake();
    }

    /// <summary>Kestrel's handler for /ocsp and /ocsp/… on the revocation listener.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? string.Empty;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || (path.Length > Prefix.Length && path[Prefix.Length] != '/'))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        OcspAnswer answer;
        try
        {
            if (HttpMethods.IsGet(request.Method) && path.Length > Prefix.Length + 1)
            {
                answer = await AnswerGetAsync(context).ConfigureAwait(false);
            }
            else if (HttpMethods.IsPost(request.Method) && path.Length <= Prefix.Length + 1)
            {
                if (request.ContentType is { } type && !type.StartsWith(RequestContentType, StringComparison.OrdinalIgnoreCase))
                {
                    response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                    return;
                }

                var body = await CappedBody.ReadAsync(request.Body, OcspRequestReader.MaxBytes, request.ContentLength, context.RequestAborted).ConfigureAwait(false);
                answer = body is null ? OcspAnswer.Malformed : await current.Responder.RespondAsync(body, context.RequestAborted).ConfigureAwait(false);
            }
            else if (HttpMethods.IsGet(request.Method) || HttpMethods.IsPost(request.Method))
            {
                // GET /ocsp (no request) or POST /ocsp/something.
                answer = OcspAnswer.Malformed;
            }
            else
            {
                response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                response.Headers.Allow = "GET, POST";
                return;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, e.Message);
            answer = OcspAnswer.InternalError;
        }

        await WriteAsync(response, answer, context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        stopping.Dispose();
        wake.Dispose();
        current.Dispose();
        await store.DisposeAsync().ConfigureAwait(false);
    }

    private ValueTask<OcspAnswer> AnswerGetAsync(HttpContext context)
    {
        // The raw target, not Path: Path keeps %2F encoded and a client may or may not URL-encode the base64.
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var encoded = raw.AsSpan(0, query < 0 ? raw.Length : query);
        var start = encoded.IndexOf(Prefix + "/", StringComparison.Ordinal);
        if (start < 0 || encoded.Length - start > MaxEncodedLength)
        {
            return ValueTask.FromResult(OcspAnswer.Malformed);
        }

        encoded = encoded[(start + Prefix.Length + 1)..];
        var responder = current.Responder;
        var rented = ArrayPool<byte>.Shared.Rent((encoded.Length / 4 * 3) + 3);
        try
        {
            if (!OcspGetRequest.TryDecode(encoded, rented, out var length))
            {
                return ValueTask.FromResult(OcspAnswer.Malformed);
            }

            var der = rented.AsSpan(0, length);
            return responder.TryAnswerFromCache(der, out var cached)
                ? ValueTask.FromResult(cached)
                : responder.RespondAsync(der.ToArray(), context.RequestAborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static Task WriteAsync(HttpResponse response, OcspAnswer answer, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ResponseContentType;
        var headers = response.Headers;
        if (answer.NextUpdate is { } next && answer.Status == OcspResponseStatus.Successful)
        {
            // RFC 5019 §6.2: max-age no later than nextUpdate.
            var maxAge = Math.Max(0, (long)(next - DateTimeOffset.UtcNow).TotalSeconds);
            headers.CacheControl = string.Create(CultureInfo.InvariantCulture, $"max-age={maxAge}, public, no-transform, must-revalidate");
            headers.LastModified = answer.LastModified;
            headers.Expires = answer.Expires;
            headers.ETag = answer.ETag;
        }
        else
        {
            // Errors, and unknown (newer information may come at any moment): not to be kept.
            headers.CacheControl = "no-cache";
            if (answer.LastModified is not null)
            {
                headers.LastModified = answer.LastModified;
                headers.ETag = answer.ETag;
            }
        }

        response.ContentLength = answer.Der.Length;
        return response.Body.WriteAsync(answer.Der, cancellationToken).AsTask();
    }

    private void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Pre-signs, then every <see cref="RefreshInterval"/> (or when woken) rebuilds for a new Host CA, re-signs and pre-signs again.</summary>
    private async Task RunAsync()
    {
        var token = stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    if (!ReferenceEquals(current.HostCa, identity.HostCa))
                    {
                        var built = await BuildAsync(identity, store, token).ConfigureAwait(false);
                        current = built;
                        LogSigner(logger, built.Responder.Signer.Certificate.SerialNumber.ToLowerInvariant(), built.Responder.Signer.NotAfter);
                    }

                    var responder = current.Responder;
                    var signer = responder.Signer;
                    var resigned = await responder.RefreshAsync(token).ConfigureAwait(false);
                    if (!ReferenceEquals(signer, responder.Signer))
                    {
                        LogSigner(logger, responder.Signer.Certificate.SerialNumber.ToLowerInvariant(), responder.Signer.NotAfter);
                    }

                    var presigned = await responder.PresignAsync(token).ConfigureAwait(false);
                    if (presigned + resigned > 0)
                    {
                        LogSigned(logger, presigned, resigned);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRefreshFailed(logger, e.Message, RefreshInterval.TotalSeconds);
                }

                await wake.WaitAsync(RefreshInterval, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<Built> BuildAsync(AgentIdentity identity, SqliteCertificateStore store, CancellationToken cancellationToken)
    {
        var hostCa = identity.HostCa;
        var authority = identity.CreateAuthority(hostCa);
        try
        {
            var responder = await OcspResponder.StartAsync(authority, identity.Domain, store, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Built(hostCa, authority, responder);
        }
        catch
        {
            authority.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ocsp: signing certificate serial {Serial}, not after {NotAfter:O} (key in memory only)")]
    private static partial void LogSigner(ILogger logger, string serial, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "ocsp: {Presigned} answers pre-signed, {Resigned} re-signed")]
    private static partial void LogSigned(ILogger logger, int presigned, int resigned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ocsp: refreshing answers failed ({Reason}); trying again in {Seconds} s")]
    private static partial void LogRefreshFailed(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ocsp: answering a request failed ({Reason}); answered internalError")]
    private static partial void LogFailed(ILogger logger, string reason);

    /// <summary>The responder of one Host CA certificate object, with the authority it signs its signer with.</summary>
    private sealed record Built(X509Certificate2 HostCa, CertificateAuthority Authority, OcspResponder Responder) : IDisposable
    {
        public void Dispose()
        {
            Responder.Dispose();
            Authority.Dispose();
        }
    }
}
