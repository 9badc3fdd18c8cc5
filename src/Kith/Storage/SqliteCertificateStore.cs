using Microsoft.Data.Sqlite;

namespace Kith.Storage;

/// <summary>
/// The issuance log in one SQLite file (<c>kith.db</c>), the embedded default.
/// </summary>
/// <remarks>
/// Concurrency: every operation opens its own connection from Microsoft.Data.Sqlite's pool and closes
/// it at the end, so the store is safe to share between threads; WAL lets readers run beside the one
/// writer, and writers (other threads or other processes) wait for each other through
/// <c>busy_timeout</c>. Write transactions start with <c>BEGIN IMMEDIATE</c>, so two writers never
/// deadlock upgrading a read lock. Microsoft.Data.Sqlite does its I/O synchronously: the async methods
/// honour cancellation but complete on the calling thread.
/// Durability: <c>synchronous=NORMAL</c> in WAL mode never corrupts the file; a power cut may lose the
/// last commits, which the caller sees as certificates it must issue again (docs/storage.md).
/// </remarks>
public sealed partial class SqliteCertificateStore : ICertificateStore
{
    // SET expressions see the row before the update: the first revocation's time and reason stay.
    private const string RevokeSql = """
        UPDATE certificates
        SET revocation_reason = CASE WHEN revoked_at IS NULL THEN @reason ELSE revocation_reason END,
            revoked_at = COALESCE(revoked_at, @revoked_at)
        WHERE issuer = @issuer AND serial_hex = @serial_hex
        """;

    private readonly SqliteDatabase _database;

    private SqliteCertificateStore(SqliteDatabase database) => _database = database;

    /// <summary>The database file, as a full path.</summary>
    public string DatabasePath => _database.FullPath;

    /// <summary>
    /// Opens the store at <paramref name="databasePath"/>, creating the file (mode 0600 on Unix) and its
    /// folder (0700) when missing, and applies the schema migrations this kith knows (those of the ACME
    /// tables too: the file is shared). An existing file keeps the mode the operator gave it. Throws
    /// <see cref="KithException"/> when the file is not a kith database or was written by a newer kith.
    /// </summary>
    public static async Task<SqliteCertificateStore> OpenAsync(string databasePath, CancellationToken ct = default) =>
        new(await SqliteDatabase.OpenAsync(databasePath, ct));

    /// <inheritdoc/>
    public async Task RecordAsync(IReadOnlyList<CertificateRecord> certificates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        foreach (var record in certificates)
        {
            StoredCertificate.Validate(record, nameof(certificates));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (certificates.Count == 0)
        {
            return;
        }

        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = new SqliteCertificateInsert(connection, transaction);
        foreach (var record in certificates)
        {
            cancellationToken.ThrowIfCancellationRequested(); // disposing the transaction rolls back
            insert.Execute(record);
        }

        transaction.Commit();
    }

    /// <inheritdoc/>
    public async Task<bool> SerialExistsAsync(string issuer, string serialHex, CancellationToken cancellationToken = default)
    {
        StoredCertificate.ValidateKey(issuer, serialHex, nameof(serialHex));
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM certificates WHERE issuer = @issuer AND serial_hex = @serial_hex)";
        command.Parameters.AddWithValue("@issuer", issuer);
        command.Parameters.AddWithValue("@serial_hex", serialHex);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <inheritdoc/>
    public async Task<bool> RevokeAsync(string issuer, string serialHex, DateTimeOffset revokedAt, RevocationReason reason, CancellationToken cancellationToken = default)
    {
        StoredCertificate.ValidateKey(issuer, serialHex, nameof(serialHex));
        int code = StoredCertificate.EncodeReason(reason);
        // Revocations are rare and must survive a power cut.
        return await WriteDurablyAsync(
            async (connection, ct) =>
            {
                await using var command = connection.CreateCommand();
                command.CommandText = RevokeSql;
                command.Parameters.AddWithValue("@issuer", issuer);
                command.Parameters.AddWithValue("@serial_hex", serialHex);
                command.Parameters.AddWithValue("@revoked_at", StoredCertificate.EncodeTime(revokedAt));
                command.Parameters.AddWithValue("@reason", code);
                return await command.ExecuteNonQueryAsync(ct) == 1;
            },
            cancellationToken);
    }

    /// <summary>Releases the pooled connections, so the file can be moved or deleted.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        _database.OpenConnectionAsync(cancellationToken);

    private Task<SqliteWriter> OpenWriterAsync(CancellationToken cancellationToken) =>
        _database.OpenWriterAsync(cancellationToken);

    /// <summary>
    /// Runs one write with <c>synchronous=FULL</c>, so its commit's WAL frames are fsynced before it returns
    /// (revocations, CRL numbers and blocked keys must survive a power cut), then sets the pooled handle back.
    /// </summary>
    private async Task<T> WriteDurablyAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await SetSynchronousAsync(connection, "FULL", cancellationToken);
        try
        {
            return await write(connection, cancellationToken);
        }
        finally
        {
            // The pooled handle keeps its settings: back to the default for the operations that reuse it.
            await SetSynchronousAsync(connection, "NORMAL", CancellationToken.None);
        }
    }

    private static async Task SetSynchronousAsync(SqliteConnection connection, string mode, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=" + mode;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
