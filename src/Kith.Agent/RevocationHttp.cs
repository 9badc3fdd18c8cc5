using System.Globalization;
using System.Security.Cryptography;
using Kith.Fleet;
using Kith.Pki;
using Microsoft.AspNetCore.Http;

namespace Kith.Agent;

/// <summary>
/// Everything a plain-HTTP request (the <c>revocation_listen</c> addresses) can reach (docs/revocation.md):
/// <c>GET /crl/&lt;machine&gt;.crl</c> (this Host CA's CRL), <c>GET /crl/root.crl</c> (the Root CRL from the
/// fleet state), and OCSP under <c>/ocsp</c> once its handler is set. Any other path is 404, so the HTTPS
/// routes (/state, /acme/) never answer without TLS.
/// </summary>
internal sealed class RevocationHttp(AgentCrl crl, string machine, Func<FleetState?> state, TimeProvider time)
{
    public const string CrlContentType = "application/pkix-crl";

    /// <summary>A served Root CRL is cached this long; the agent cannot know when the operator re-signs it.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private readonly string hostCrlPath = $"/crl/{machine}.crl";
    private RootCrl? root;

    /// <summary>The OCSP responder (GET /ocsp/&lt;request&gt;, POST /ocsp), or null while there is none.</summary>
    public Func<HttpContext, Task>? Ocsp { get; set; }

    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        if ((path == "/ocsp" || path.StartsWith("/ocsp/", StringComparison.Ordinal)) && Ocsp is { } ocsp)
        {
            return ocsp(context);
        }

        if (path == hostCrlPath)
        {
            return crl.Current is { } signed
                ? ServeAsync(context, signed.Der, signed.ETag, signed.ThisUpdate, signed.ResignAt)
                : Status(context, StatusCodes.Status503ServiceUnavailable);
        }

        if (path == "/crl/root.crl")
        {
            return RootCrlDer() is { } rootCrl
                ? ServeAsync(context, rootCrl.Der, rootCrl.ETag, null, time.GetUtcNow() + MaxAge)
                : Status(context, StatusCodes.Status404NotFound);
        }

        return Status(context, StatusCodes.Status404NotFound);
    }

    private Task ServeAsync(HttpContext context, byte[] der, string etag, DateTimeOffset? lastModified, DateTimeOffset freshUntil)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            return Status(context, StatusCodes.Status405MethodNotAllowed);
        }

        var seconds = (long)Math.Clamp((freshUntil - time.GetUtcNow()).TotalSeconds, 0, MaxAge.TotalSeconds);
        var headers = response.Headers;
        headers.CacheControl = "max-age=" + seconds.ToString(CultureInfo.InvariantCulture);
        headers.ETag = etag;
        if (lastModified is { } modified)
        {
            headers.LastModified = modified.ToString("R", CultureInfo.InvariantCulture);
        }

        if (request.Headers.IfNoneMatch.Any(value => value is not null && value.Split(',').Any(tag => tag.Trim() == etag || tag.Trim() == "*")))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = CrlContentType;
        response.ContentLength = der.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(der, context.RequestAborted).AsTask();
    }

    private static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>The fleet state's Root CRL as DER, converted once per state; null while the state holds none.</summary>
    private RootCrl? RootCrlDer()
    {
        var pem = state()?.RootCrl;
        if (string.IsNullOrEmpty(pem))
        {
            return null;
        }

        var cached = root;
        if (cached is not null && ReferenceEquals(cached.Pem, pem))
        {
            return cached;
        }

        byte[]? der;
        try
        {
            der = Pem.Decode(pem, "fleet state root_crl").FirstOrDefault(b => b.Label == "X509 CRL")?.Der;
        }
        catch (KithException)
        {
            der = null;
        }

        if (der is null)
        {
            return null;
        }

        cached = new RootCrl(pem, der, $"\"root-{Convert.ToHexStringLower(SHA256.HashData(der).AsSpan(0, 8))}\"");
        root = cached;
        return cached;
    }

    private sealed record RootCrl(string Pem, byte[] Der, string ETag);
}
