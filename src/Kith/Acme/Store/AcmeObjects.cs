using Kith.Storage;

namespace Kith.Acme.Store;

/// <summary>RFC 8555 §7.1.2 account status.</summary>
public enum AcmeAccountStatus
{
    Valid,
    Deactivated,
    Revoked,
}

/// <summary>RFC 8555 §7.1.6 order status.</summary>
public enum AcmeOrderStatus
{
    Pending,
    Ready,
    Processing,
    Valid,
    Invalid,
}

/// <summary>RFC 8555 §7.1.6 authorization status.</summary>
public enum AcmeAuthorizationStatus
{
    Pending,
    Valid,
    Invalid,
    Deactivated,
    Expired,
    Revoked,
}

/// <summary>RFC 8555 §7.1.6 challenge status.</summary>
public enum AcmeChallengeStatus
{
    Pending,
    Processing,
    Valid,
    Invalid,
}

/// <summary>
/// An ACME account. <paramref name="Id"/> is 128 random bits as 22 base64url characters (unguessable, and
/// the last segment of the account URL). <paramref name="Jwk"/> is the key's canonical JWK
/// (<c>AcmeAccountKey.CanonicalJwk</c>) and <paramref name="Thumbprint"/> its RFC 7638 thumbprint, unique
/// across accounts.
/// </summary>
public sealed record AcmeAccount(
    string Id,
    string Thumbprint,
    string Jwk,
    AcmeAccountStatus Status,
    IReadOnlyList<string> Contact,
    string? ExternalAccountKid,
    DateTimeOffset CreatedAt);

/// <summary>An error recorded on an order or challenge: the problem type and its one-line detail.</summary>
public sealed record AcmeStoredError(AcmeErrorType Type, string Detail);

/// <summary>
/// An ACME order. Its authorizations are listed in the order of <see cref="Identifiers"/>.
/// <paramref name="CertificateSerial"/> (lower-case hex) is set once the order is valid; the certificate
/// itself is in the issuance log (<see cref="ICertificateStore"/>) under the Host CA's name and this serial.
/// <paramref name="Replaces"/> is the RFC 9773 certificate identifier the client said this order replaces.
/// </summary>
public sealed record AcmeOrder(
    string Id,
    string AccountId,
    AcmeOrderStatus Status,
    IReadOnlyList<AcmeIdentifier> Identifiers,
    IReadOnlyList<string> AuthorizationIds,
    DateTimeOffset Expires,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    AcmeStoredError? Error,
    string? CertificateSerial,
    string? Replaces,
    DateTimeOffset CreatedAt);

/// <summary>
/// An authorization for one identifier of one order (kith does not share authorizations between orders).
/// <paramref name="Identifier"/> holds the name without "*." ; <paramref name="Wildcard"/> says the order asked
/// for the wildcard (then only dns-01 is offered).
/// </summary>
public sealed record AcmeAuthorization(
    string Id,
    string AccountId,
    string OrderId,
    AcmeIdentifier Identifier,
    bool Wildcard,
    AcmeAuthorizationStatus Status,
    DateTimeOffset Expires,
    IReadOnlyList<AcmeChallenge> Challenges);

/// <summary>One challenge of an authorization. <paramref name="Type"/> is "http-01", "dns-01" or "tls-alpn-01".
/// <paramref name="Token"/> is 128 random bits as base64url.</summary>
public sealed record AcmeChallenge(
    string Id,
    string AuthorizationId,
    string Type,
    string Token,
    AcmeChallengeStatus Status,
    DateTimeOffset? Validated,
    AcmeStoredError? Error);

/// <summary>An External Account Binding key (RFC 8555 §7.3.4) made by <c>kith acme eab create</c>.
/// <paramref name="BoundAccountId"/> is set once an account was created with it (each key binds one account).</summary>
public sealed record AcmeExternalAccountKey(string Kid, byte[] HmacKey, DateTimeOffset CreatedAt, string? BoundAccountId);

/// <summary>The result of <see cref="IAcmeStore.CreateAccountAsync"/>.</summary>
public enum AcmeAccountCreation
{
    /// <summary>The account was stored (and the EAB key, when given, is now bound to it).</summary>
    Created,

    /// <summary>An account with the same key thumbprint already exists; it is returned and nothing changed.</summary>
    ExistingKey,

    /// <summary>The EAB kid is unknown or already bound to another account; nothing changed.</summary>
    ExternalAccountKeyUnusable,
}
