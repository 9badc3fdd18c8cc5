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
    /// <summary>How long a statement waits for another writer's lock before failing.</summary>
    private const int BusyTimeoutMilliseconds = 10_000;

    private const string InsertSql = """
        INSERT INTO certificates
            (issuer, serial_hex, kind, names, machine, service, not_before, not_after, revoked_at, revocation_reason, der)
        VALUES
            (@issuer, @serial_hex, @kind, @names, @machine, @service, @not_before, @not_after, @revoked_at, @revocation_reason, @der)
        """;

    // SET expressions see the row before the update: the first revocation's time and reason stay.
    private const string RevokeSql = """
        UPDATE certificates
        SET revocation_reason = CASE WHEN revoked_at IS NULL THEN @reason ELSE revocation_reason END,
            revoked_at = COALESCE(revoked_at, @revoked_at)
        WHERE issuer = @issuer AND serial_hex = @serial_hex
        """;

    private readonly string _connectionString;
    private int _disposed;

    private SqliteCertificateStore(string databasePath, string connectionString)
    {
        DatabasePath = databasePath;
        _connectionString = connectionString;
    }

    /// <summary>The database file, as a full path.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Opens the store at <paramref name="databasePath"/>, creating the file (mode 0600 on Unix) and its
    /// folder (0700) when missing, and applies the schema migrations this kith knows. An existing file
    /// keeps the mode the operator gave it. Throws <see cref="KithException"/> when the file is not a
    /// kith database or was written by a newer kith.
    /// </summary>
    public static async Task<SqliteCertificateStore> OpenAsync(string databasePath, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ct.ThrowIfCancellationRequested();
        string fullPath = Path.GetFullPath(databasePath);
        CreateFileIfMissing(fullPath);

        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWrite, // the file exists now; never let a typo create another one
            Pooling = true,
            ForeignKeys = true,
        }.ToString();
        var store = new SqliteCertificateStore(fullPath, connectionString);
        try
        {
            await using var connection = await store.OpenConnectionAsync(ct);
            await using (var wal = connection.CreateCommand())
            {
                // Persistent in the file: set once here, every later connection reads in WAL mode.
                wal.CommandText = "PRAGMA journal_mode=WAL";
                await wal.ExecuteNonQueryAsync(ct);
            }

            await SchemaMigrator.ApplyAsync(connection, SqliteMigrations.All, fullPath, TimeProvider.System, ct);
            return store;
        }
        catch (SqliteException ex)
        {
            await store.DisposeAsync();
            throw new KithException($"{fullPath}: opening the issuance log failed ({ex.Message}): check that it is a kith database and the disk is writable", ex);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

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

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = InsertSql;
        var issuer = insert.Parameters.Add("@issuer", SqliteType.Text);
        var serial = insert.Parameters.Add("@serial_hex", SqliteType.Text);
        var kind = insert.Parameters.Add("@kind", SqliteType.Text);
        var names = insert.Parameters.Add("@names", SqliteType.Text);
        var machine = insert.Parameters.Add("@machine", SqliteType.Text);
        var service = insert.Parameters.Add("@service", SqliteType.Text);
        var notBefore = insert.Parameters.Add("@not_before", SqliteType.Integer);
        var notAfter = insert.Parameters.Add("@not_after", SqliteType.Integer);
        var revokedAt = insert.Parameters.Add("@revoked_at", SqliteType.Integer);
        var reason = insert.Parameters.Add("@revocation_reason", SqliteType.Integer);
        var der = insert.Parameters.Add("@der", SqliteType.Blob);
        insert.Prepare(); // compiled once, bound and stepped per row

        foreach (var record in certificates)
        {
            cancellationToken.ThrowIfCancellationRequested(); // disposing the transaction rolls back
            issuer.Value = record.Issuer;
            serial.Value = record.SerialHex;
            kind.Value = StoredCertificate.EncodeKind(record.Kind);
            names.Value = StoredCertificate.EncodeNames(record.Names);
            machine.Value = (object?)record.Machine ?? DBNull.Value;
            service.Value = (object?)record.Service ?? DBNull.Value;
            notBefore.Value = StoredCertificate.EncodeTime(record.NotBefore);
            notAfter.Value = StoredCertificate.EncodeTime(record.NotAfter);
            revokedAt.Value = record.RevokedAt is { } at ? StoredCertificate.EncodeTime(at) : DBNull.Value;
            reason.Value = record.RevocationReason is { } r ? StoredCertificate.EncodeReason(r) : DBNull.Value;
            der.Value = (object?)record.Der ?? DBNull.Value;
            try
            {
                insert.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey)
            {
                transaction.Rollback();
                throw new DuplicateSerialException(record.Issuer, record.SerialHex);
            }
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
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using (var durable = connection.CreateCommand())
        {
            // Revocations are rare and must survive a power cut: fsync this commit's WAL frames.
            // The next operation on this pooled connection sets NORMAL again.
            durable.CommandText = "PRAGMA synchronous=FULL";
            await durable.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = RevokeSql;
        command.Parameters.AddWithValue("@issuer", issuer);
        command.Parameters.AddWithValue("@serial_hex", serialHex);
        command.Parameters.AddWithValue("@revoked_at", StoredCertificate.EncodeTime(revokedAt));
        command.Parameters.AddWithValue("@reason", code);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Releases the pooled connections, so the file can be moved or deleted.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }

        return ValueTask.CompletedTask;
    }

    // SQLite extended result codes (sqlite3.h): SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY.
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            // Per connection (a pooled one may be fresh): wait for other writers instead of failing at
            // once, and fsync at checkpoints only (safe against corruption in WAL mode).
            pragmas.CommandText = $"PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA synchronous=NORMAL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static void CreateFileIfMissing(string fullPath)
    {
        if (File.Exists(fullPath))
        {
            return;
        }

        string folder = Path.GetDirectoryName(fullPath)!;
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            // The issuance log is operator data: only its owner reads it.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // An empty file is a valid, empty SQLite database; SQLite gives its -wal and -shm files this mode too.
        using var file = new FileStream(fullPath, options);
    }
}
