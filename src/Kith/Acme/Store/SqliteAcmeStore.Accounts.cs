using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Acme.Store;

/// <summary>Accounts (RFC 8555 §7.3): creation with an optional EAB binding, lookups, updates, key change.</summary>
public sealed partial class SqliteAcmeStore
{
    /// <inheritdoc/>
    public async Task<(AcmeAccountCreation Outcome, AcmeAccount? Account)> CreateAccountAsync(AcmeAccount account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrEmpty(account.Id, nameof(account));
        ArgumentException.ThrowIfNullOrEmpty(account.Thumbprint, nameof(account));
        ArgumentException.ThrowIfNullOrEmpty(account.Jwk, nameof(account));
        ArgumentNullException.ThrowIfNull(account.Contact, nameof(account));

        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        // IMMEDIATE: the thumbprint check and the insert happen under the write lock, so of two callers with
        // one key the second sees the first's account.
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (await FindAccountAsync(connection, transaction, "thumbprint", account.Thumbprint, cancellationToken) is { } existing)
        {
            return (AcmeAccountCreation.ExistingKey, existing);
        }

        await using (var insert = Command(connection, transaction, $"""
            INSERT INTO acme_accounts ({AcmeRows.AccountColumns})
            VALUES (@id, @thumbprint, @jwk, @status, @contact, @eab_kid, @created_at)
            """))
        {
            insert.Parameters.AddWithValue("@id", account.Id);
            insert.Parameters.AddWithValue("@thumbprint", account.Thumbprint);
            insert.Parameters.AddWithValue("@jwk", account.Jwk);
            insert.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(account.Status));
            insert.Parameters.AddWithValue("@contact", AcmeRows.EncodeContact(account.Contact));
            insert.Parameters.AddWithValue("@eab_kid", (object?)account.ExternalAccountKid ?? DBNull.Value);
            insert.Parameters.AddWithValue("@created_at", AcmeRows.EncodeTime(account.CreatedAt));
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (SqliteException ex) when (SqliteDatabase.IsDuplicate(ex))
            {
                throw new ArgumentException($"account id '{account.Id}' is already taken: draw a new random id", nameof(account), ex);
            }
        }

        if (account.ExternalAccountKid is { } kid)
        {
            await using var bind = Command(connection, transaction,
                "UPDATE acme_eab_keys SET bound_account_id = @id WHERE kid = @kid AND bound_account_id IS NULL");
            bind.Parameters.AddWithValue("@id", account.Id);
            bind.Parameters.AddWithValue("@kid", kid);
            if (await bind.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return (AcmeAccountCreation.ExternalAccountKeyUnusable, null); // disposing the transaction drops the insert
            }
        }

        var stored = await FindAccountAsync(connection, transaction, "id", account.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (AcmeAccountCreation.Created, stored);
    }

    /// <inheritdoc/>
    public async Task<AcmeAccount?> FindAccountAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await FindAccountAsync(connection, null, "id", id, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<AcmeAccount?> FindAccountByThumbprintAsync(string thumbprint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(thumbprint);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        return await FindAccountAsync(connection, null, "thumbprint", thumbprint, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<AcmeAccount?> UpdateAccountAsync(string id, IReadOnlyList<string>? contact, AcmeAccountStatus? status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        // One statement: the update and the row it produced, with no other writer in between.
        await using var command = Command(connection, null, $"""
            UPDATE acme_accounts SET contact = COALESCE(@contact, contact), status = COALESCE(@status, status)
            WHERE id = @id
            RETURNING {AcmeRows.AccountColumns}
            """);
        command.Parameters.AddWithValue("@id", id);
        command.Parameters.AddWithValue("@contact", contact is null ? DBNull.Value : AcmeRows.EncodeContact(contact));
        command.Parameters.AddWithValue("@status", status is { } s ? AcmeStoredWords.Encode(s) : DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return reader.Read() ? AcmeRows.ReadAccount(reader) : null;
    }

    /// <inheritdoc/>
    public async Task<bool> ChangeAccountKeyAsync(string id, string newThumbprint, string newJwk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(newThumbprint);
        ArgumentException.ThrowIfNullOrEmpty(newJwk);
        try
        {
            return await ExecuteAsync(
                "UPDATE acme_accounts SET thumbprint = @thumbprint, jwk = @jwk WHERE id = @id",
                command =>
                {
                    command.Parameters.AddWithValue("@id", id);
                    command.Parameters.AddWithValue("@thumbprint", newThumbprint);
                    command.Parameters.AddWithValue("@jwk", newJwk);
                },
                cancellationToken) == 1;
        }
        catch (SqliteException ex) when (SqliteDatabase.IsDuplicate(ex))
        {
            return false; // the UNIQUE thumbprint: another account holds this key
        }
    }

    /// <param name="column">"id" or "thumbprint" (from this file only; the value is a parameter).</param>
    private static async Task<AcmeAccount?> FindAccountAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string column, string value, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {AcmeRows.AccountColumns} FROM acme_accounts WHERE {column} = @value");
        command.Parameters.AddWithValue("@value", value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return reader.Read() ? AcmeRows.ReadAccount(reader) : null;
    }
}
