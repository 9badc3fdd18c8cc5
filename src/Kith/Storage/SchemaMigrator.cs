using System.Data.Common;
using System.Globalization;

namespace Kith.Storage;

/// <summary>
/// Brings a database to the newest schema this kith knows, over plain ADO.NET so every backend shares
/// it. The table <c>schema_migrations(version, applied_at)</c> holds one row per applied step; each step
/// runs in its own transaction together with its row, so a failure leaves the database at the previous
/// version and the next open retries. A database newer than this kith is refused, never downgraded.
/// </summary>
/// <remarks>
/// Two processes opening one database at once are safe as long as the backend's transactions serialize
/// writers: the version is read again inside each step's transaction (SQLite: <c>BEGIN IMMEDIATE</c>).
/// A server backend (PostgreSQL) should also hold an advisory lock while migrating; the primary key on
/// <c>version</c> makes a lost race fail instead of running a step twice.
/// </remarks>
internal static class SchemaMigrator
{
    private const string CreateTableSql =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

    /// <summary>Applies the missing steps; returns how many ran.</summary>
    /// <param name="databaseName">Names the database in messages (its path, or the server database).</param>
    public static async Task<int> ApplyAsync(
        DbConnection connection,
        IReadOnlyList<SchemaMigration> migrations,
        string databaseName,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentNullException.ThrowIfNull(timeProvider);
        CheckOrder(migrations);
        int known = migrations.Count == 0 ? 0 : migrations[^1].Version;

        await ExecuteAsync(connection, null, CreateTableSql, cancellationToken);
        int current = await CurrentVersionAsync(connection, null, cancellationToken);
        if (current > known)
        {
            throw new KithException(
                $"{databaseName} was written by a newer kith (schema {current}, this kith knows {known}): upgrade kith");
        }

        int applied = 0;
        foreach (var migration in migrations)
        {
            if (migration.Version <= current)
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            current = await CurrentVersionAsync(connection, transaction, cancellationToken);
            if (migration.Version <= current)
            {
                continue; // another process applied it while we waited for the lock
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @applied_at)";
                AddParameter(insert, "@version", migration.Version);
                AddParameter(insert, "@applied_at", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            current = migration.Version;
            applied++;
        }

        return applied;
    }

    private static void CheckOrder(IReadOnlyList<SchemaMigration> migrations)
    {
        for (int i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"schema migration at position {i} has version {migrations[i].Version}, expected {i + 1}: versions start at 1 and rise by one");
            }
        }
    }

    private static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        object? value = await command.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
