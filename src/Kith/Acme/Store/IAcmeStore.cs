using Kith.Storage;

namespace Kith.Acme.Store;

/// <summary>
/// Where the ACME server keeps accounts, orders, authorizations, challenges and EAB keys, so an order survives
/// a restart in the middle. Lives in the same SQLite file as the issuance log (<see cref="ICertificateStore"/>).
/// Safe for concurrent use from many threads. Not found is null (or false), never an exception. Every write is
/// one transaction: all of it or none. State changes that may race (two challenge responses, twenty finalize
/// calls) are compare-and-set: exactly one caller wins. Times are kept to the whole second.
/// Expiry is not applied here: the caller compares <c>Expires</c> with its clock when it reads an object.
/// </summary>
public interface IAcmeStore : IAsyncDisposable
{
    /// <summary>
    /// Stores a new account, unless one with the same thumbprint exists (then that one is returned with
    /// <see cref="AcmeAccountCreation.ExistingKey"/>). With <c>account.ExternalAccountKid</c> set, that EAB key is bound
    /// to the new account in the same transaction; an unknown or already bound kid stores nothing. An existing key
    /// wins over an unusable kid (the existing account is returned). Throws <see cref="ArgumentException"/> when
    /// the account id is already taken. The returned account is as stored (times to the whole second).
    /// </summary>
    Task<(AcmeAccountCreation Outcome, AcmeAccount? Account)> CreateAccountAsync(AcmeAccount account, CancellationToken cancellationToken = default);

    Task<AcmeAccount?> FindAccountAsync(string id, CancellationToken cancellationToken = default);

    Task<AcmeAccount?> FindAccountByThumbprintAsync(string thumbprint, CancellationToken cancellationToken = default);

    /// <summary>Replaces the contact list and/or status (null leaves it). Returns the updated account, or null when none.</summary>
    Task<AcmeAccount?> UpdateAccountAsync(string id, IReadOnlyList<string>? contact, AcmeAccountStatus? status, CancellationToken cancellationToken = default);

    /// <summary>Replaces the account key. False (and nothing changed) when another account already has that thumbprint or the account does not exist.</summary>
    Task<bool> ChangeAccountKeyAsync(string id, string newThumbprint, string newJwk, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores an order with its authorizations and their challenges in one transaction. <c>order.AuthorizationIds</c>
    /// must list <paramref name="authorizations"/>' ids in order, and each authorization and challenge must name its
    /// parent; otherwise, for an unknown account, or an id already taken, throws <see cref="ArgumentException"/>
    /// and stores nothing. Challenges are returned in the order given.
    /// </summary>
    Task CreateOrderAsync(AcmeOrder order, IReadOnlyList<AcmeAuthorization> authorizations, CancellationToken cancellationToken = default);

    Task<AcmeOrder?> FindOrderAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The order that holds the certificate with this serial (lower-case hex), or null (the newest, should two issuers' serials ever meet).</summary>
    Task<AcmeOrder?> FindOrderByCertificateSerialAsync(string serialHex, CancellationToken cancellationToken = default);

    /// <summary>The ids of an account's orders, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> ListOrderIdsAsync(string accountId, int limit, CancellationToken cancellationToken = default);

    /// <summary>An authorization with its challenges.</summary>
    Task<AcmeAuthorization?> FindAuthorizationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>A challenge and the authorization (with all its challenges) it belongs to.</summary>
    Task<(AcmeChallenge Challenge, AcmeAuthorization Authorization)?> FindChallengeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Challenge pending → processing, only while its authorization is pending. True for exactly one caller.
    /// </summary>
    Task<bool> TryStartChallengeAsync(string challengeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a validation result in one transaction: challenge processing → valid/invalid (with
    /// <paramref name="error"/> when invalid, <paramref name="at"/> as validated time when valid); its authorization
    /// → valid/invalid; the order → invalid when the authorization failed, → ready when every authorization of the
    /// order is now valid (only from pending). Returns false when the challenge was not processing.
    /// The authorization and order change only while the authorization is still pending: when another challenge of
    /// it already decided it, only this challenge's own result is recorded. A failed authorization's order gets
    /// <paramref name="error"/> as its error too.
    /// </summary>
    Task<bool> CompleteChallengeAsync(string challengeId, bool valid, AcmeStoredError? error, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// For <c>AcmeServerOptions.AutoValidChallenges</c> (tests and benchmarks): challenge pending → valid, only while its
    /// authorization is pending, with the authorization and order changes of <see cref="CompleteChallengeAsync"/>, all in
    /// one transaction. True for exactly one caller; false (nothing changed) otherwise.
    /// </summary>
    Task<bool> ValidateChallengeAtOnceAsync(string challengeId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Authorization pending/valid → deactivated (RFC 8555 §7.5.2); a pending or ready order with it → invalid
    /// (error unauthorized), so finalize cannot issue for a name the client gave up. False when not in those states.
    /// </summary>
    Task<bool> DeactivateAuthorizationAsync(string authorizationId, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending or ready order invalid with <paramref name="error"/> (used when it expired). False when it was in another state.</summary>
    Task<bool> InvalidateOrderAsync(string orderId, AcmeStoredError error, CancellationToken cancellationToken = default);

    /// <summary>Order ready → processing. True for exactly one caller; the winner must call Complete or Abandon.</summary>
    Task<bool> TryBeginFinalizeAsync(string orderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: logs <paramref name="certificate"/> in the issuance log (the certificates table) and moves
    /// the order processing → valid with its serial. Throws <see cref="DuplicateSerialException"/> (nothing changed)
    /// when the serial exists; returns false (nothing logged) when the order was not processing.
    /// </summary>
    Task<bool> CompleteFinalizeAsync(string orderId, CertificateRecord certificate, CancellationToken cancellationToken = default);

    /// <summary>The DER of a certificate in the issuance log, or null (a just-issued one comes from memory).</summary>
    Task<byte[]?> FindCertificateDerAsync(string issuer, string serialHex, CancellationToken cancellationToken = default);

    /// <summary>Order processing → ready again (issuing failed inside kith; the client may retry).</summary>
    Task<bool> AbandonFinalizeAsync(string orderId, CancellationToken cancellationToken = default);

    /// <summary>The challenges left processing (a validation interrupted by a restart), to validate again.</summary>
    Task<IReadOnlyList<string>> ListProcessingChallengeIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>Every order left processing (finalize interrupted before its transaction) → ready. Returns how many.</summary>
    Task<int> ResetProcessingOrdersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes, with their authorizations and challenges, the orders nobody needs any more: expired before
    /// <paramref name="before"/>, not processing, and either not valid or holding a certificate that expired before
    /// <paramref name="before"/> (so the ordering account can revoke a live certificate). The issued certificates stay
    /// in the issuance log. Returns how many orders went.
    /// </summary>
    Task<int> PruneOrdersAsync(DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Stores a new EAB key. Throws <see cref="ArgumentException"/> when the kid exists.</summary>
    Task AddExternalAccountKeyAsync(AcmeExternalAccountKey key, CancellationToken cancellationToken = default);

    Task<AcmeExternalAccountKey?> FindExternalAccountKeyAsync(string kid, CancellationToken cancellationToken = default);

    /// <summary>All EAB keys without their HMAC key bytes (empty arrays), oldest first.</summary>
    Task<IReadOnlyList<AcmeExternalAccountKey>> ListExternalAccountKeysAsync(CancellationToken cancellationToken = default);
}
