namespace Kith.Acme.Server;

/// <summary>
/// The URLs of one request's view of the server: every resource hangs under the base URL the client used
/// (scheme, Host header and base path), so a client reaching the agent as 127.0.0.1 or by name gets URLs it can
/// reach the same way.
/// </summary>
internal sealed class AcmeUrls(string baseUrl)
{
    public const string AccountSegment = "account/";
    public const string OrderSegment = "order/";
    public const string AuthorizationSegment = "authz/";
    public const string ChallengeSegment = "chall/";
    public const string CertificateSegment = "cert/";
    public const string FinalizeSuffix = "/finalize";
    public const string OrdersSuffix = "/orders";

    /// <summary>Ends with '/'.</summary>
    public string Base { get; } = baseUrl;

    public string Directory => Base + AcmeDirectory.DirectoryPath;

    public string NewAccount => Base + AcmeDirectory.NewAccountPath;

    public string Account(string id) => Base + AccountSegment + id;

    public string AccountOrders(string id) => Base + AccountSegment + id + OrdersSuffix;

    public string Order(string id) => Base + OrderSegment + id;

    public string Finalize(string orderId) => Base + OrderSegment + orderId + FinalizeSuffix;

    public string Authorization(string id) => Base + AuthorizationSegment + id;

    public string Challenge(string id) => Base + ChallengeSegment + id;

    public string Certificate(string orderId) => Base + CertificateSegment + orderId;

    /// <summary>The Link header that points every response at the directory (RFC 8555 §7.1).</summary>
    public string IndexLink => $"<{Directory}>;rel=\"index\"";

    /// <summary>The account id in an account URL of this base (a JWS kid), or null when it is not one.</summary>
    public string? AccountIdOf(string kid)
    {
        var prefix = Base + AccountSegment;
        if (!kid.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = kid[prefix.Length..];
        return AcmeIds.LooksValid(id) ? id : null;
    }
}
