namespace Kith.Acme;

/// <summary>The error types of RFC 8555 §6.7, each sent as "urn:ietf:params:acme:error:" + its name.</summary>
public enum AcmeErrorType
{
    AccountDoesNotExist,
    AlreadyRevoked,
    BadCsr,
    BadNonce,
    BadPublicKey,
    BadRevocationReason,
    BadSignatureAlgorithm,
    Caa,
    Compound,
    Connection,
    Dns,
    ExternalAccountRequired,
    IncorrectResponse,
    InvalidContact,
    Malformed,
    OrderNotReady,
    RateLimited,
    RejectedIdentifier,
    ServerInternal,
    Tls,
    Unauthorized,
    UnsupportedContact,
    UnsupportedIdentifier,
    UserActionRequired,
}

/// <summary>The wire name and default HTTP status of each <see cref="AcmeErrorType"/>.</summary>
public static class AcmeErrorTypes
{
    public const string Namespace = "urn:ietf:params:acme:error:";

    /// <summary>The "type" member of a problem document, e.g. "urn:ietf:params:acme:error:badNonce".</summary>
    public static string Urn(this AcmeErrorType type) => Namespace + Name(type);

    /// <summary>The RFC 8555 spelling, e.g. "badCSR", "badNonce".</summary>
    public static string Name(this AcmeErrorType type) => type switch
    {
        AcmeErrorType.AccountDoesNotExist => "accountDoesNotExist",
        AcmeErrorType.AlreadyRevoked => "alreadyRevoked",
        AcmeErrorType.BadCsr => "badCSR",
        AcmeErrorType.BadNonce => "badNonce",
        AcmeErrorType.BadPublicKey => "badPublicKey",
        AcmeErrorType.BadRevocationReason => "badRevocationReason",
        AcmeErrorType.BadSignatureAlgorithm => "badSignatureAlgorithm",
        AcmeErrorType.Caa => "caa",
        AcmeErrorType.Compound => "compound",
        AcmeErrorType.Connection => "connection",
        AcmeErrorType.Dns => "dns",
        AcmeErrorType.ExternalAccountRequired => "externalAccountRequired",
        AcmeErrorType.IncorrectResponse => "incorrectResponse",
        AcmeErrorType.InvalidContact => "invalidContact",
        AcmeErrorType.Malformed => "malformed",
        AcmeErrorType.OrderNotReady => "orderNotReady",
        AcmeErrorType.RateLimited => "rateLimited",
        AcmeErrorType.RejectedIdentifier => "rejectedIdentifier",
        AcmeErrorType.ServerInternal => "serverInternal",
        AcmeErrorType.Tls => "tls",
        AcmeErrorType.Unauthorized => "unauthorized",
        AcmeErrorType.UnsupportedContact => "unsupportedContact",
        AcmeErrorType.UnsupportedIdentifier => "unsupportedIdentifier",
        AcmeErrorType.UserActionRequired => "userActionRequired",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>
    /// The HTTP status a response with this error carries. RFC 8555 fixes few of them (badNonce 400 in
    /// §6.5, orderNotReady 403 in §7.4, rateLimited with Retry-After); the rest follow what deployed
    /// servers send: refusals of who the client is are 403, faults of the request are 400.
    /// </summary>
    public static int DefaultStatus(this AcmeErrorType type) => type switch
    {
        AcmeErrorType.Unauthorized or AcmeErrorType.OrderNotReady or AcmeErrorType.Caa
            or AcmeErrorType.UserActionRequired => 403,
        AcmeErrorType.RateLimited => 429,
        AcmeErrorType.ServerInternal => 500,
        _ => 400,
    };
}
