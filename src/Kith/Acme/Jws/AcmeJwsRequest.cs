namespace Kith.Acme.Jws;

/// <summary>
/// An ACME request whose JWS signature has been checked. The nonce and url are returned, not
/// checked: the caller consumes the nonce from its store and compares the url with <see cref="UrlMatches"/>.
/// </summary>
public sealed class AcmeJwsRequest
{
    internal AcmeJwsRequest(string alg, AcmeAccountKey key, string? kid, string? nonce, string url, byte[] payload, bool postAsGet)
    {
        Algorithm = alg;
        Key = key;
        Kid = kid;
        Nonce = nonce;
        Url = url;
        Payload = payload;
        IsPostAsGet = postAsGet;
    }

    /// <summary>ES256, ES384, RS256 or EdDSA.</summary>
    public string Algorithm { get; }

    /// <summary>The key that signed: from the "jwk" header, or the account key found for "kid".</summary>
    public AcmeAccountKey Key { get; }

    /// <summary>The account URL from the "kid" header; null when the request carried a "jwk".</summary>
    public string? Kid { get; }

    /// <summary>True when the key came from a "jwk" header (newAccount, revokeCert by certificate key).</summary>
    public bool HasEmbeddedJwk => Kid is null;

    /// <summary>The "nonce" header; null only for a keyChange inner JWS, which must not carry one.</summary>
    public string? Nonce { get; }

    /// <summary>The "url" header, exactly as sent.</summary>
    public string Url { get; }

    /// <summary>The decoded payload; empty for POST-as-GET.</summary>
    public byte[] Payload { get; }

    /// <summary>True when the payload was the empty string (RFC 8555 §6.3).</summary>
    public bool IsPostAsGet { get; }

    /// <summary>
    /// RFC 8555 §6.4: the "url" header must equal the URL the request was sent to, character for
    /// character (no normalisation of case, default ports or trailing slashes).
    /// </summary>
    public bool UrlMatches(string requestUrl) => string.Equals(Url, requestUrl, StringComparison.Ordinal);

    /// <summary>The unauthorized problem for a url mismatch, or null when <see cref="UrlMatches"/>.</summary>
    public AcmeProblem? CheckUrl(string requestUrl) => UrlMatches(requestUrl)
        ? null
        : new AcmeProblem(AcmeErrorType.Unauthorized, $"the JWS url header \"{Url}\" differs from the request URL \"{requestUrl}\"");
}
