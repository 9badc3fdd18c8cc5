using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Acme.Store;

/// <summary>
/// The ACME server's state in the <c>acme_*</c> tables of the issuance log's SQLite file (<c>kith.db</c>), so a
/// finalized order's certificate is logged in the same transaction that makes the order valid.
/// </summary>
/// <remarks>
/// Same habits as <see cref="SqliteCertificateStore"/>: a pooled connection per operation, WAL, a busy timeout,
/// <c>BEGIN IMMEDIATE</c> for multi-statement writes. Every compare-and-set transition is one
/// <c>UPDATE … WHERE status = …</c> whose changed-row count says who won: SQLite runs one writer at a time, so
/// racing callers see exactly one winner, across threads and processes alike. Orders, authorizations and issued
/// certificates are also kept in a bounded in-memory cache (<see cref="AcmeObjectCache"/>), changed after each
/// commit while the writer turn is still held, so reading back what was just written costs no query. Only this
/// process writes those tables (the CLI writes EAB keys only, which are not cached).
/// </remarks>
public sealed partial class SqliteAcmeStore : IAcmeStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Recent orders, authorizations and certificates, changed under the writer turn after each commit.</summary>
    private readonly AcmeObjectCache _cache = new();

    private SqliteAcmeStore(SqliteDatabase database) => _database = database;

    /// <summary>The database file, as a full path.</summary>
    public string DatabasePath => _database.FullPath;

    /// <summary>
    /// Opens the store at <paramref name="databasePath"/> exactly as <see cref="SqliteCertificateStore.OpenAsync"/>
    /// does (the same file may hold both): creates the file (0600) and folder (0700) when missing and applies
    /// every schema migration. Throws <see cref="KithException"/> when the file is not a kith database or was
    /// written by a newer kith.
    /// </summary>
    public static async Task<SqliteAcmeStore> OpenAsync(string databasePath, CancellationToken cancellationToken = default) =>
        new(await SqliteDatabase.OpenAsync(databasePath, cancellationToken));

    /// <summary>Releases the pooled connections, so the file can be moved or deleted.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        _database.OpenConnectionAsync(cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private Task<SqliteWriter> OpenWriterAsync(CancellationToken cancellationToken) =>
        _database.OpenWriterAsync(cancellationToken);

    /// <summary>Runs one writing statement on its own connection (autocommit); returns the changed-row count.</summary>
    private async Task<int> ExecuteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, null, sql);
        bind(command);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
