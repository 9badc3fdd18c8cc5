namespace Kith.Acme.Server;

/// <summary>
/// One HTTP request as the ACME server sees it, independent of the web framework.
/// <paramref name="Url"/> is the absolute URL the client addressed (scheme, Host header, path and query),
/// which the JWS "url" header must equal.
/// </summary>
public sealed record AcmeHttpRequest(string Method, string Url, string? ContentType, ReadOnlyMemory<byte> Body);

/// <summary>One HTTP response of the ACME server: status, body and the headers RFC 8555 asks for.</summary>
public sealed class AcmeHttpResponse
{
    public AcmeHttpResponse(int status, string? contentType = null, byte[]? body = null)
    {
        Status = status;
        ContentType = contentType;
        Body = body ?? [];
    }

    public int Status { get; }

    public string? ContentType { get; }

    public byte[] Body { get; }

    /// <summary>The Location header: the URL of the account or order just created or found.</summary>
    public string? Location { get; init; }

    /// <summary>Link header values, e.g. <c>&lt;https://…/acme/directory&gt;;rel="index"</c>.</summary>
    public List<string> Links { get; } = [];

    /// <summary>Retry-After in whole seconds, or null.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A fresh nonce for the client's next request (RFC 8555 §6.5).</summary>
    public string? ReplayNonce { get; set; }

    /// <summary>Cache-Control: no-store (newNonce, RFC 8555 §7.2).</summary>
    public bool NoStore { get; init; }

    /// <summary>The Allow header for 405 answers.</summary>
    public string? Allow { get; init; }
}
