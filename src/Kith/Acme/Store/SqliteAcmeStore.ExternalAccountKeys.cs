using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Acme.Store;

/// <summary>External Account Binding keys (RFC 8555 §7.3.4); binding happens in <see cref="CreateAccountAsync"/>.</summary>
public sealed partial class SqliteAcmeStore
{
    /// <inheritdoc/>
    public async Task AddExternalAccountKeyAsync(AcmeExternalAccountKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(key.Kid, nameof(key));
        if (key.HmacKey is null || key.HmacKey.Length == 0)
        {
            throw new ArgumentException($"EAB key '{key.Kid}' has an empty HMAC key: generate one of at least 32 random bytes", nameof(key));
        }

        try
        {
            await ExecuteAsync(
                $"INSERT INTO acme_eab_keys ({AcmeRows.ExternalAccountKeyColumns}) VALUES (@kid, @hmac_key, @created_at, @bound_account_id)",
                command =>
                {
                    command.Parameters.AddWithValue("@kid", key.Kid);
                    command.Parameters.AddWithValue("@hmac_key", key.HmacKey);
                    command.Parameters.AddWithValue("@created_at", AcmeRows.EncodeTime(key.CreatedAt));
                    command.Parameters.AddWithValue("@bound_account_id", (object?)key.BoundAccountId ?? DBNull.Value);
                },
                cancellationToken);
        }
        catch (SqliteException ex) when (SqliteDatabase.IsDuplicate(ex))
        {
            throw new ArgumentException($"EAB key id '{key.Kid}' already exists: choose another kid", nameof(key), ex);
        }
        catch (SqliteException ex) when (SqliteDatabase.IsMissingReference(ex))
        {
            throw new ArgumentException($"EAB key '{key.Kid}' is bound to account '{key.BoundAccountId}', which does not exist", nameof(key), ex);
        }
    }

    /// <inheritdoc/>
    public async Task<AcmeExternalAccountKey?> FindExternalAccountKeyAsync(string kid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kid);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, $"SELECT {AcmeRows.ExternalAccountKeyColumns} FROM acme_eab_keys WHERE kid = @kid");
        command.Parameters.AddWithValue("@kid", kid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return reader.Read() ? AcmeRows.ReadExternalAccountKey(reader) : null;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AcmeExternalAccountKey>> ListExternalAccountKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // The secret never leaves the file for a listing: NULL in place of hmac_key.
        await using var command = Command(connection, null,
            "SELECT kid, NULL, created_at, bound_account_id FROM acme_eab_keys ORDER BY created_at, rowid");
        var keys = new List<AcmeExternalAccountKey>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            keys.Add(AcmeRows.ReadExternalAccountKey(reader));
        }

        return keys;
    }
}
