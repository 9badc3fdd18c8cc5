using System.Globalization;
using System.Security.Cryptography;

namespace Kith.Revocation.Ocsp;

/// <summary>
/// One OCSPResponse ready to send, with what HTTP caching needs (RFC 5019 §6.2). A successful answer knows its
/// thisUpdate and nextUpdate (none for unknown: newer information is always available); an error answer knows
/// neither and must not be cached.
/// </summary>
public sealed class OcspAnswer
{
    private OcspAnswer(byte[] der, OcspResponseStatus status, DateTimeOffset? thisUpdate, DateTimeOffset? nextUpdate, DateTimeOffset serveUntil)
    {
        Der = der;
        Status = status;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        ServeUntil = serveUntil;
        if (thisUpdate is { } produced)
        {
            LastModified = produced.ToString("R", CultureInfo.InvariantCulture);
            ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(der).AsSpan(0, 16))}\"";
        }

        if (nextUpdate is { } next)
        {
            Expires = next.ToString("R", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>malformedRequest: the same bytes every time.</summary>
    public static OcspAnswer Malformed { get; } = Error(OcspResponseStatus.MalformedRequest);

    /// <summary>unauthorized: a CertID of another issuer (RFC 6960 §2.3).</summary>
    public static OcspAnswer Unauthorized { get; } = Error(OcspResponseStatus.Unauthorized);

    /// <summary>internalError: the issuance log or the signer failed.</summary>
    public static OcspAnswer InternalError { get; } = Error(OcspResponseStatus.InternalError);

    /// <summary>tryLater: the issuance log is busy or unavailable.</summary>
    public static OcspAnswer TryLater { get; } = Error(OcspResponseStatus.TryLater);

    /// <summary>The OCSPResponse DER.</summary>
    public byte[] Der { get; }

    public OcspResponseStatus Status { get; }

    public DateTimeOffset? ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    /// <summary>The responder's own caches hand this answer out until then.</summary>
    public DateTimeOffset ServeUntil { get; }

    /// <summary>thisUpdate as an HTTP date, for Last-Modified; null for an error answer.</summary>
    public string? LastModified { get; }

    /// <summary>nextUpdate as an HTTP date, for Expires; null when there is none.</summary>
    public string? Expires { get; }

    /// <summary>A strong entity tag over the response bytes; null for an error answer.</summary>
    public string? ETag { get; }

    public static OcspAnswer Signed(byte[] der, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, DateTimeOffset serveUntil) =>
        new(der, OcspResponseStatus.Successful, Whole(thisUpdate), nextUpdate is { } next ? Whole(next) : null, serveUntil);

    private static OcspAnswer Error(OcspResponseStatus status) =>
        new(OcspResponseWriter.Unsuccessful(status), status, null, null, DateTimeOffset.MinValue);

    private static DateTimeOffset Whole(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
