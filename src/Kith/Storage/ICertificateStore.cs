namespace Kith.Storage;

/// <summary>
/// The issuance log: every certificate kith signs, and its revocation. Implementations must be safe
/// for concurrent use from several threads and processes (SQLite: WAL and a busy timeout), must honour
/// cancellation, and apply their schema migrations when opened.
/// Not found is a null result, never an exception. Every write is all-or-nothing.
/// Times are kept to the whole second (X.509's resolution): sub-second parts are dropped when stored.
/// Serials are lower-case hex; any other form is refused with <see cref="ArgumentException"/>.
/// The contract tests (tests/Kith.Tests/Storage/CertificateStoreContract*.cs) run against every backend.
/// </summary>
public interface ICertificateStore : IAsyncDisposable
{
    /// <summary>
    /// Logs certificates in one transaction. Throws <see cref="DuplicateSerialException"/> (and logs
    /// none of them) when any (Issuer, SerialHex) is already present, in the store or earlier in the
    /// batch: the caller draws a new serial. Throws <see cref="ArgumentException"/> for a serial that is
    /// not lower-case hex or a name that is empty or holds a line break. An empty batch does nothing.
    /// </summary>
    Task RecordAsync(IReadOnlyList<CertificateRecord> certificates, CancellationToken cancellationToken = default);

    /// <summary>True when the issuer has already used this serial.</summary>
    Task<bool> SerialExistsAsync(string issuer, string serialHex, CancellationToken cancellationToken = default);

    /// <summary>One certificate with its DER, or null.</summary>
    Task<CertificateRecord?> FindAsync(string issuer, string serialHex, CancellationToken cancellationToken = default);

    /// <summary>
    /// The most recently issued (latest NotBefore, then insertion order) unrevoked certificate
    /// of a machine's service, or for a Host CA (<paramref name="service"/> null, kind HostCa), or null.
    /// </summary>
    Task<CertificateRecord?> FindLatestAsync(string machine, string? service, CertificateKind kind, CancellationToken cancellationToken = default);

    /// <summary>Certificates matching the query, ordered by NotAfter ascending; without DER unless asked.</summary>
    Task<IReadOnlyList<CertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a certificate revoked. Returns false when no such certificate exists; revoking an
    /// already revoked certificate keeps the first time and reason and returns true.
    /// </summary>
    Task<bool> RevokeAsync(string issuer, string serialHex, DateTimeOffset revokedAt, RevocationReason reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// The revoked certificates of one issuer whose NotAfter is at or after <paramref name="notExpiredAt"/>
    /// (expired ones may leave the CRL, RFC 5280 §3.3), ordered by serial (as hex text).
    /// </summary>
    Task<IReadOnlyList<RevokedCertificate>> ListRevokedAsync(string issuer, DateTimeOffset notExpiredAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// The next CRL number of an issuer: 1, 2, 3 … persisted and atomic, so two callers (threads or
    /// processes) never get the same number and a number is never handed out again after a restart.
    /// </summary>
    Task<long> NextCrlNumberAsync(string issuer, CancellationToken cancellationToken = default);

    /// <summary>
    /// A value that changes whenever a certificate is recorded or revoked or a key is blocked, in this
    /// process or another one on the same store. Cheap: the agent polls it every few seconds.
    /// </summary>
    Task<long> RevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Refuses a key for any later issuance: stores the SHA-256 of <paramref name="subjectPublicKeyInfo"/>
    /// (the DER SubjectPublicKeyInfo). Blocking a key twice keeps the first time and reason.
    /// </summary>
    Task BlockKeyAsync(byte[] subjectPublicKeyInfo, RevocationReason reason, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="subjectPublicKeyInfo"/> (DER) was blocked with <see cref="BlockKeyAsync"/>.</summary>
    Task<bool> IsKeyBlockedAsync(byte[] subjectPublicKeyInfo, CancellationToken cancellationToken = default);
}
