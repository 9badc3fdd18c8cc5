using Microsoft.Data.Sqlite;

namespace Kith.Storage;

/// <summary>
/// The one SQLite file (<c>kith.db</c>) the issuance log and the ACME server share: how it is created,
/// migrated and connected to. <see cref="SqliteCertificateStore"/> and <c>SqliteAcmeStore</c> each hold one;
/// opening either applies every migration, so both always see the whole schema.
/// </summary>
/// <remarks>
/// Every operation opens its own connection from Microsoft.Data.Sqlite's pool and closes it at the end (the
/// pool is keyed by the connection string, so two stores on one file share it). WAL lets readers run beside
/// the one writer; writers wait for each other through <c>busy_timeout</c>.
/// </remarks>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    /// <summary>How long a statement waits for another writer's lock before failing.</summary>
    private const int BusyTimeoutMilliseconds = 10_000;

    // SQLite extended result codes (sqlite3.h).
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintForeignKey = 787;

    private static readonly object Configured = new();

    /// <summary>One writer turn per database file in this process, shared by every store on the file.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> WriterTurns = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configuredHandles = new();
    private int _disposed;

    private SqliteDatabase(string fullPath, string connectionString)
    {
        FullPath = fullPath;
        _connectionString = connectionString;
    }

    /// <summary>The database file, as a full path.</summary>
    public string FullPath { get; }

    /// <summary>
    /// Opens the file, creating it (0600 on Unix) and its folder (0700) when missing, switches it to WAL and
    /// applies the schema migrations this kith knows. Throws <see cref="KithException"/> naming the path when
    /// the file is not a kith database or was written by a newer kith.
    /// </summary>
    public static async Task<SqliteDatabase> OpenAsync(string databasePath, CancellationToken ct)
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
            // Foreign keys are switched on per handle in OpenConnectionAsync, once, not on every open.
        }.ToString();
        var database = new SqliteDatabase(fullPath, connectionString);
        try
        {
            await using var connection = await database.OpenConnectionAsync(ct);
            await using (var wal = connection.CreateCommand())
            {
                // Persistent in the file: set once here, every later connection reads in WAL mode.
                wal.CommandText = "PRAGMA journal_mode=WAL";
                await wal.ExecuteNonQueryAsync(ct);
            }

            await SchemaMigrator.ApplyAsync(connection, SqliteMigrations.All, fullPath, TimeProvider.System, ct);
            return database;
        }
        catch (SqliteException ex)
        {
            await database.DisposeAsync();
            throw new KithException($"{fullPath}: opening the kith database failed ({ex.Message}): check that it is a kith database and the disk is writable", ex);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>True for a UNIQUE or PRIMARY KEY violation.</summary>
    public static bool IsDuplicate(SqliteException ex) =>
        ex.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;

    /// <summary>True for a FOREIGN KEY violation (a row points at a row that does not exist).</summary>
    public static bool IsMissingReference(SqliteException ex) => ex.SqliteExtendedErrorCode == SqliteConstraintForeignKey;

    /// <summary>A pooled connection with this kith's per-connection settings; the caller disposes it.</summary>
    public async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!_configuredHandles.TryGetValue(connection.Handle!, out _))
            {
                // Per connection handle (the pool hands the same handle out again, with its settings kept), so
                // these run once per handle instead of before every operation: enforce foreign keys, wait for
                // other writers instead of failing at once, fsync at checkpoints only (safe against corruption in
                // WAL mode).
                await using var pragmas = connection.CreateCommand();
                pragmas.CommandText = $"PRAGMA foreign_keys=ON; PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA synchronous=NORMAL;";
                await pragmas.ExecuteNonQueryAsync(cancellationToken);
                _configuredHandles.AddOrUpdate(connection.Handle!, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A connection for a write, once this process's earlier writers on the file are done. Writers in one process
    /// wait here asynchronously; without it they would wait inside SQLite's busy handler, which sleeps on a
    /// thread-pool thread and starves the server under concurrent requests. Other processes still meet
    /// <c>busy_timeout</c>. Disposing the writer closes the connection and hands the turn on.
    /// </summary>
    public async Task<SqliteWriter> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var turn = WriterTurns.GetOrAdd(FullPath, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            return new SqliteWriter(await OpenConnectionAsync(cancellationToken), turn);
        }
        catch
        {
            turn.Release();
            throw;
        }
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
            // The issuance log and ACME accounts are operator data: only their owner reads them.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // An empty file is a valid, empty SQLite database; SQLite gives its -wal and -shm files this mode too.
        using var file = new FileStream(fullPath, options);
    }
}
