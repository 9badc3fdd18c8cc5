using Microsoft.Data.Sqlite;

namespace Kith.Acme.Store;

/// <summary>Authorizations and their challenges (RFC 8555 §7.5): lookups, validation results, deactivation.</summary>
public sealed partial class SqliteAcmeStore
{
    /// <inheritdoc/>
    public async Task<AcmeAuthorization?> FindAuthorizationAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_cache.FindAuthorization(id) is { } cached)
        {
            return cached;
        }

        var seen = _cache.Generation;
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // A read transaction: the authorization and its challenges come from one snapshot.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var authorization = await FindAuthorizationAsync(connection, snapshot, id, byChallengeId: false, cancellationToken);
        if (authorization is not null)
        {
            _cache.Fill(seen, authorization);
        }

        return authorization;
    }

    /// <inheritdoc/>
    public async Task<(AcmeChallenge Challenge, AcmeAuthorization Authorization)?> FindChallengeAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var authorization = _cache.FindChallengeAuthorization(id);
        if (authorization is null)
        {
            var seen = _cache.Generation;
            await using var connection = await OpenConnectionAsync(cancellationToken);
            await using var snapshot = connection.BeginTransaction(deferred: true);
            authorization = await FindAuthorizationAsync(connection, snapshot, id, byChallengeId: true, cancellationToken);
            if (authorization is null)
            {
                return null;
            }

            _cache.Fill(seen, authorization);
        }

        return (authorization.Challenges.Single(c => c.Id == id), authorization);
    }

    /// <inheritdoc/>
    public async Task<bool> TryStartChallengeAsync(string challengeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challengeId);
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, null, """
            UPDATE acme_challenges SET status = 'processing'
            WHERE id = @id AND status = 'pending'
              AND EXISTS (SELECT 1 FROM acme_authorizations a WHERE a.id = acme_challenges.authorization_id AND a.status = 'pending')
            RETURNING authorization_id
            """);
        command.Parameters.AddWithValue("@id", challengeId);
        if (await command.ExecuteScalarAsync(cancellationToken) is not string authorizationId)
        {
            return false;
        }

        _cache.ChangeAuthorization(authorizationId, a => WithChallenge(a, challengeId, c => c with { Status = AcmeChallengeStatus.Processing }));
        return true;
    }

    /// <inheritdoc/>
    public Task<bool> CompleteChallengeAsync(string challengeId, bool valid, AcmeStoredError? error, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        CompleteChallengeAsync(challengeId, "status = 'processing'", valid, error, at, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> ValidateChallengeAtOnceAsync(string challengeId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        CompleteChallengeAsync(
            challengeId,
            "status = 'pending' AND EXISTS (SELECT 1 FROM acme_authorizations a WHERE a.id = acme_challenges.authorization_id AND a.status = 'pending')",
            valid: true,
            error: null,
            at,
            cancellationToken);

    /// <param name="from">The condition on the challenge row for the change to happen, from this file only.</param>
    private async Task<bool> CompleteChallengeAsync(string challengeId, string from, bool valid, AcmeStoredError? error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(challengeId);
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = connection.BeginTransaction(deferred: false);
        // Reads first and changes with plain UPDATEs: RETURNING inside a transaction costs SQLite a statement journal per statement.
        string? authorizationId;
        await using (var parent = Command(connection, transaction, "SELECT authorization_id FROM acme_challenges WHERE id = @id"))
        {
            parent.Parameters.AddWithValue("@id", challengeId);
            authorizationId = await parent.ExecuteScalarAsync(cancellationToken) as string;
        }

        if (authorizationId is null)
        {
            return false;
        }

        await using (var challenge = Command(connection, transaction, $"""
            UPDATE acme_challenges SET status = @status, validated_at = @validated_at, error_type = @error_type, error_detail = @error_detail
            WHERE id = @id AND {from}
            """))
        {
            challenge.Parameters.AddWithValue("@id", challengeId);
            challenge.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(valid ? AcmeChallengeStatus.Valid : AcmeChallengeStatus.Invalid));
            challenge.Parameters.AddWithValue("@validated_at", valid ? AcmeRows.EncodeTime(at) : DBNull.Value);
            AcmeRows.AddError(challenge, valid ? null : error);
            if (await challenge.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        // The first result decides the authorization; a later one (another challenge of it) only records itself.
        var authorizationStatus = valid ? AcmeAuthorizationStatus.Valid : AcmeAuthorizationStatus.Invalid;
        string? orderId = await SetAuthorizationStatusAsync(connection, transaction, authorizationId, authorizationStatus, "'pending'", cancellationToken);
        var orderReady = false;
        var orderInvalid = false;
        if (orderId is not null)
        {
            if (valid)
            {
                await using var ready = Command(connection, transaction, """
                    UPDATE acme_orders SET status = 'ready'
                    WHERE id = @id AND status = 'pending'
                      AND NOT EXISTS (SELECT 1 FROM acme_authorizations WHERE order_id = @id AND status <> 'valid')
                    """);
                ready.Parameters.AddWithValue("@id", orderId);
                orderReady = await ready.ExecuteNonQueryAsync(cancellationToken) == 1;
            }
            else
            {
                orderInvalid = await UpdateOrderInvalidAsync(connection, transaction, orderId, "'pending'", error, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        var validated = valid ? AcmeRows.AsStored(at) : (DateTimeOffset?)null;
        var challengeError = valid ? null : error;
        _cache.ChangeAuthorization(authorizationId, a => WithChallenge(
            orderId is null ? a : a with { Status = authorizationStatus },
            challengeId,
            c => c with { Status = valid ? AcmeChallengeStatus.Valid : AcmeChallengeStatus.Invalid, Validated = validated, Error = challengeError }));
        if (orderReady)
        {
            _cache.ChangeOrder(orderId!, o => o with { Status = AcmeOrderStatus.Ready });
        }
        else if (orderInvalid)
        {
            _cache.ChangeOrder(orderId!, o => o with { Status = AcmeOrderStatus.Invalid, Error = error });
        }

        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> DeactivateAuthorizationAsync(string authorizationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authorizationId);
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = connection.BeginTransaction(deferred: false);
        string? orderId = await SetAuthorizationStatusAsync(
            connection, transaction, authorizationId, AcmeAuthorizationStatus.Deactivated, "'pending', 'valid'", cancellationToken);
        if (orderId is null)
        {
            return false;
        }

        // A ready order too: the client gave up this identifier, so finalize must not issue for it.
        var error = new AcmeStoredError(AcmeErrorType.Unauthorized, $"authorization {authorizationId} was deactivated by the account");
        var orderInvalid = await UpdateOrderInvalidAsync(connection, transaction, orderId, "'pending', 'ready'", error, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _cache.ChangeAuthorization(authorizationId, a => a with { Status = AcmeAuthorizationStatus.Deactivated });
        if (orderInvalid)
        {
            _cache.ChangeOrder(orderId, o => o with { Status = AcmeOrderStatus.Invalid, Error = error });
        }

        return true;
    }

    /// <summary>Sets the authorization's status when it is in one of <paramref name="fromStatuses"/>; returns its order id, or null when unchanged.</summary>
    /// <param name="fromStatuses">A SQL list of status words, from this file only.</param>
    private static async Task<string?> SetAuthorizationStatusAsync(
        SqliteConnection connection, SqliteTransaction transaction, string authorizationId, AcmeAuthorizationStatus status, string fromStatuses, CancellationToken cancellationToken)
    {
        string? orderId;
        await using (var order = Command(connection, transaction, "SELECT order_id FROM acme_authorizations WHERE id = @id"))
        {
            order.Parameters.AddWithValue("@id", authorizationId);
            orderId = await order.ExecuteScalarAsync(cancellationToken) as string;
        }

        if (orderId is null)
        {
            return null;
        }

        await using var command = Command(connection, transaction, $"""
            UPDATE acme_authorizations SET status = @status
            WHERE id = @id AND status IN ({fromStatuses})
            """);
        command.Parameters.AddWithValue("@id", authorizationId);
        command.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(status));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? orderId : null;
    }

    /// <summary>
    /// Order → invalid with <paramref name="error"/> when in one of <paramref name="fromStatuses"/>; with no
    /// <paramref name="transaction"/> it commits on its own and the cache changes here, otherwise the caller changes it after its commit.
    /// </summary>
    /// <param name="fromStatuses">A SQL list of status words, from this file only.</param>
    private async Task<bool> InvalidateOrderAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string orderId, string fromStatuses, AcmeStoredError error, CancellationToken cancellationToken)
    {
        var changed = await UpdateOrderInvalidAsync(connection, transaction, orderId, fromStatuses, error, cancellationToken);
        if (changed && transaction is null)
        {
            _cache.ChangeOrder(orderId, o => o with { Status = AcmeOrderStatus.Invalid, Error = error });
        }

        return changed;
    }

    /// <param name="fromStatuses">A SQL list of status words, from this file only.</param>
    private static async Task<bool> UpdateOrderInvalidAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string orderId, string fromStatuses, AcmeStoredError? error, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"""
            UPDATE acme_orders SET status = 'invalid', error_type = @error_type, error_detail = @error_detail
            WHERE id = @id AND status IN ({fromStatuses})
            """);
        command.Parameters.AddWithValue("@id", orderId);
        AcmeRows.AddError(command, error);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The authorization with one challenge changed.</summary>
    private static AcmeAuthorization WithChallenge(AcmeAuthorization authorization, string challengeId, Func<AcmeChallenge, AcmeChallenge> change) =>
        authorization with { Challenges = [.. authorization.Challenges.Select(c => c.Id == challengeId ? change(c) : c)] };

    /// <summary>An authorization with its challenges (in two queries), found by its own id or by one of its challenges' ids.</summary>
    private static async Task<AcmeAuthorization?> FindAuthorizationAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string id, bool byChallengeId, CancellationToken cancellationToken)
    {
        var authorizationId = byChallengeId ? "(SELECT authorization_id FROM acme_challenges WHERE id = @id)" : "@id";
        var challenges = new List<AcmeChallenge>();
        await using (var command = Command(connection, transaction, $"SELECT {AcmeRows.ChallengeColumns} FROM acme_challenges WHERE authorization_id = {authorizationId} ORDER BY rowid"))
        {
            command.Parameters.AddWithValue("@id", id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
            {
                challenges.Add(AcmeRows.ReadChallenge(reader));
            }
        }

        // By a challenge's id, no row means no such challenge; by its own id, an authorization may have no challenge.
        if (byChallengeId && challenges.Count == 0)
        {
            return null;
        }

        await using var authorization = Command(connection, transaction, $"SELECT {AcmeRows.AuthorizationColumns} FROM acme_authorizations WHERE id = @id");
        authorization.Parameters.AddWithValue("@id", byChallengeId ? challenges[0].AuthorizationId : id);
        await using var row = await authorization.ExecuteReaderAsync(cancellationToken);
        return row.Read() ? AcmeRows.ReadAuthorization(row, challenges) : null;
    }
}
