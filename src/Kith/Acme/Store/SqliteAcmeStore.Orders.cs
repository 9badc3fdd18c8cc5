using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Acme.Store;

/// <summary>Orders (RFC 8555 §7.4): creation with their authorizations and challenges, lookups, invalidation.</summary>
public sealed partial class SqliteAcmeStore
{
    /// <inheritdoc/>
    public async Task CreateOrderAsync(AcmeOrder order, IReadOnlyList<AcmeAuthorization> authorizations, CancellationToken cancellationToken = default)
    {
        CheckNewOrder(order, authorizations);
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = connection.BeginTransaction(deferred: false);
        try
        {
            await InsertOrderAsync(connection, transaction, order, cancellationToken);
            await InsertAuthorizationsAsync(connection, transaction, authorizations, cancellationToken);
        }
        catch (SqliteException ex) when (SqliteDatabase.IsMissingReference(ex))
        {
            throw new ArgumentException($"order '{order.Id}' belongs to account '{order.AccountId}', which does not exist", nameof(order), ex);
        }
        catch (SqliteException ex) when (SqliteDatabase.IsDuplicate(ex))
        {
            throw new ArgumentException($"order '{order.Id}': an order, authorization or challenge id is already taken: draw new random ids", nameof(order), ex);
        }

        await transaction.CommitAsync(cancellationToken);
        _cache.Put(AcmeRows.AsStored(order), authorizations.Select(AcmeRows.AsStored));
    }

    /// <inheritdoc/>
    public async Task<AcmeOrder?> FindOrderAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_cache.FindOrder(id) is { } cached)
        {
            return cached;
        }

        var seen = _cache.Generation;
        var order = await FindOrderAsync("id = @value", id, cancellationToken);
        if (order is not null)
        {
            _cache.Fill(seen, order);
        }

        return order;
    }

    /// <inheritdoc/>
    public async Task<AcmeOrder?> FindOrderByCertificateSerialAsync(string serialHex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serialHex);
        return await FindOrderAsync("certificate_serial = @value", serialHex, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListOrderIdsAsync(string accountId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT id FROM acme_orders WHERE account_id = @account_id
            ORDER BY created_at DESC, rowid DESC
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("@account_id", accountId);
        command.Parameters.AddWithValue("@limit", limit);
        return await ReadStringsAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> InvalidateOrderAsync(string orderId, AcmeStoredError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        ArgumentNullException.ThrowIfNull(error);
        await using var writer = await OpenWriterAsync(cancellationToken);
        return await InvalidateOrderAsync(writer.Connection, null, orderId, "'pending', 'ready'", error, cancellationToken);
    }

    private static void CheckNewOrder(AcmeOrder order, IReadOnlyList<AcmeAuthorization> authorizations)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(authorizations);
        ArgumentException.ThrowIfNullOrEmpty(order.Id, nameof(order));
        ArgumentNullException.ThrowIfNull(order.Identifiers, nameof(order));
        if (order.AuthorizationIds is null || !order.AuthorizationIds.SequenceEqual(authorizations.Select(a => a.Id)))
        {
            throw new ArgumentException($"order '{order.Id}': AuthorizationIds must list the given authorizations' ids in the same order", nameof(order));
        }

        foreach (var authorization in authorizations)
        {
            if (authorization.OrderId != order.Id || authorization.AccountId != order.AccountId)
            {
                throw new ArgumentException(
                    $"authorization '{authorization.Id}' names order '{authorization.OrderId}' of account '{authorization.AccountId}', not order '{order.Id}' of account '{order.AccountId}'",
                    nameof(authorizations));
            }

            if (authorization.Challenges.FirstOrDefault(c => c.AuthorizationId != authorization.Id) is { } stray)
            {
                throw new ArgumentException($"challenge '{stray.Id}' names authorization '{stray.AuthorizationId}', not '{authorization.Id}'", nameof(authorizations));
            }
        }
    }

    private static async Task InsertOrderAsync(SqliteConnection connection, SqliteTransaction transaction, AcmeOrder order, CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, transaction, $"""
            INSERT INTO acme_orders ({AcmeRows.OrderColumns})
            VALUES (@id, @account_id, @status, @identifiers, @expires, @not_before, @not_after, @error_type, @error_detail, @certificate_serial, @replaces, @created_at)
            """);
        insert.Parameters.AddWithValue("@id", order.Id);
        insert.Parameters.AddWithValue("@account_id", order.AccountId);
        insert.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(order.Status));
        insert.Parameters.AddWithValue("@identifiers", AcmeRows.EncodeIdentifiers(order.Identifiers));
        insert.Parameters.AddWithValue("@expires", AcmeRows.EncodeTime(order.Expires));
        insert.Parameters.AddWithValue("@not_before", AcmeRows.EncodeTime(order.NotBefore));
        insert.Parameters.AddWithValue("@not_after", AcmeRows.EncodeTime(order.NotAfter));
        AcmeRows.AddError(insert, order.Error);
        insert.Parameters.AddWithValue("@certificate_serial", (object?)order.CertificateSerial ?? DBNull.Value);
        insert.Parameters.AddWithValue("@replaces", (object?)order.Replaces ?? DBNull.Value);
        insert.Parameters.AddWithValue("@created_at", AcmeRows.EncodeTime(order.CreatedAt));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertAuthorizationsAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<AcmeAuthorization> authorizations, CancellationToken cancellationToken)
    {
        await using var authorizationInsert = Command(connection, transaction, """
            INSERT INTO acme_authorizations
                (id, account_id, order_id, position, identifier_type, identifier_value, wildcard, status, expires)
            VALUES (@id, @account_id, @order_id, @position, @identifier_type, @identifier_value, @wildcard, @status, @expires)
            """);
        await using var challengeInsert = Command(connection, transaction, $"""
            INSERT INTO acme_challenges ({AcmeRows.ChallengeColumns})
            VALUES (@id, @authorization_id, @type, @token, @status, @validated_at, @error_type, @error_detail)
            """);
        for (int position = 0; position < authorizations.Count; position++)
        {
            var authorization = authorizations[position];
            authorizationInsert.Parameters.Clear();
            authorizationInsert.Parameters.AddWithValue("@id", authorization.Id);
            authorizationInsert.Parameters.AddWithValue("@account_id", authorization.AccountId);
            authorizationInsert.Parameters.AddWithValue("@order_id", authorization.OrderId);
            authorizationInsert.Parameters.AddWithValue("@position", position);
            authorizationInsert.Parameters.AddWithValue("@identifier_type", authorization.Identifier.Type);
            authorizationInsert.Parameters.AddWithValue("@identifier_value", authorization.Identifier.Value);
            authorizationInsert.Parameters.AddWithValue("@wildcard", authorization.Wildcard ? 1 : 0);
            authorizationInsert.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(authorization.Status));
            authorizationInsert.Parameters.AddWithValue("@expires", AcmeRows.EncodeTime(authorization.Expires));
            await authorizationInsert.ExecuteNonQueryAsync(cancellationToken);

            // Challenges are read back in insertion (rowid) order, which is the order given here.
            foreach (var challenge in authorization.Challenges)
            {
                challengeInsert.Parameters.Clear();
                challengeInsert.Parameters.AddWithValue("@id", challenge.Id);
                challengeInsert.Parameters.AddWithValue("@authorization_id", authorization.Id);
                challengeInsert.Parameters.AddWithValue("@type", challenge.Type);
                challengeInsert.Parameters.AddWithValue("@token", challenge.Token);
                challengeInsert.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(challenge.Status));
                challengeInsert.Parameters.AddWithValue("@validated_at", AcmeRows.EncodeTime(challenge.Validated));
                AcmeRows.AddError(challengeInsert, challenge.Error);
                await challengeInsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <param name="where">A condition on one column against <c>@value</c>, from this file only.</param>
    private async Task<AcmeOrder?> FindOrderAsync(string where, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, $"""
            SELECT {AcmeRows.OrderColumns} FROM acme_orders WHERE {where}
            ORDER BY created_at DESC, rowid DESC
            LIMIT 1
            """);
        command.Parameters.AddWithValue("@value", value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!reader.Read())
        {
            return null;
        }

        // An order's authorizations are written with it and never change, so no snapshot is needed here.
        await using var ids = Command(connection, null, "SELECT id FROM acme_authorizations WHERE order_id = @order_id ORDER BY position");
        ids.Parameters.AddWithValue("@order_id", reader.GetString(0));
        return AcmeRows.ReadOrder(reader, await ReadStringsAsync(ids, cancellationToken));
    }

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
