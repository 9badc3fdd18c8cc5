using Microsoft.Data.Sqlite;

namespace Kith.Acme.Store;

/// <summary>Authorizations and their challenges (RFC 8555 §7.5): lookups, validation results, deactivation.</summary>
public sealed partial class SqliteAcmeStore
{
    /// <inheritdoc/>
    public async Task<AcmeAuthorization?> FindAuthorizationAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // A read transaction: the authorization and its challenges come from one snapshot.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        return await FindAuthorizationAsync(connection, snapshot, id, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<(AcmeChallenge Challenge, AcmeAuthorization Authorization)?> FindChallengeAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        await using var command = Command(connection, snapshot, "SELECT authorization_id FROM acme_challenges WHERE id = @id");
        command.Parameters.AddWithValue("@id", id);
        if (await command.ExecuteScalarAsync(cancellationToken) is not string authorizationId
            || await FindAuthorizationAsync(connection, snapshot, authorizationId, cancellationToken) is not { } authorization)
        {
            return null;
        }

        return (authorization.Challenges.Single(c => c.Id == id), authorization);
    }

    /// <inheritdoc/>
    public async Task<bool> TryStartChallengeAsync(string challengeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challengeId);
        return await ExecuteAsync(
            """
            UPDATE acme_challenges SET status = 'processing'
            WHERE id = @id AND status = 'pending'
              AND EXISTS (SELECT 1 FROM acme_authorizations a WHERE a.id = acme_challenges.authorization_id AND a.status = 'pending')
            """,
            command => command.Parameters.AddWithValue("@id", challengeId),
            cancellationToken) == 1;
    }

    /// <inheritdoc/>
    public async Task<bool> CompleteChallengeAsync(string challengeId, bool valid, AcmeStoredError? error, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challengeId);
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = connection.BeginTransaction(deferred: false);
        string? authorizationId;
        await using (var challenge = Command(connection, transaction, """
            UPDATE acme_challenges SET status = @status, validated_at = @validated_at, error_type = @error_type, error_detail = @error_detail
            WHERE id = @id AND status = 'processing'
            RETURNING authorization_id
            """))
        {
            challenge.Parameters.AddWithValue("@id", challengeId);
            challenge.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(valid ? AcmeChallengeStatus.Valid : AcmeChallengeStatus.Invalid));
            challenge.Parameters.AddWithValue("@validated_at", valid ? AcmeRows.EncodeTime(at) : DBNull.Value);
            AcmeRows.AddError(challenge, valid ? null : error);
            authorizationId = await challenge.ExecuteScalarAsync(cancellationToken) as string;
        }

        if (authorizationId is null)
        {
            return false;
        }

        // The first result decides the authorization; a later one (another challenge of it) only records itself.
        string? orderId = await SetAuthorizationStatusAsync(
            connection, transaction, authorizationId, valid ? AcmeAuthorizationStatus.Valid : AcmeAuthorizationStatus.Invalid, "'pending'", cancellationToken);
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
                await ready.ExecuteNonQueryAsync(cancellationToken);
            }
            else
            {
                await InvalidateOrderAsync(connection, transaction, orderId, "'pending'", error, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
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
        await InvalidateOrderAsync(
            connection, transaction, orderId, "'pending', 'ready'",
            new AcmeStoredError(AcmeErrorType.Unauthorized, $"authorization {authorizationId} was deactivated by the account"),
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Sets the authorization's status when it is in one of <paramref name="fromStatuses"/>; returns its order id, or null when unchanged.</summary>
    /// <param name="fromStatuses">A SQL list of status words, from this file only.</param>
    private static async Task<string?> SetAuthorizationStatusAsync(
        SqliteConnection connection, SqliteTransaction transaction, string authorizationId, AcmeAuthorizationStatus status, string fromStatuses, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"""
            UPDATE acme_authorizations SET status = @status
            WHERE id = @id AND status IN ({fromStatuses})
            RETURNING order_id
            """);
        command.Parameters.AddWithValue("@id", authorizationId);
        command.Parameters.AddWithValue("@status", AcmeStoredWords.Encode(status));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <param name="fromStatuses">A SQL list of status words, from this file only.</param>
    private static async Task InvalidateOrderAsync(
        SqliteConnection connection, SqliteTransaction transaction, string orderId, string fromStatuses, AcmeStoredError? error, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"""
            UPDATE acme_orders SET status = 'invalid', error_type = @error_type, error_detail = @error_detail
            WHERE id = @id AND status IN ({fromStatuses})
            """);
        command.Parameters.AddWithValue("@id", orderId);
        AcmeRows.AddError(command, error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<AcmeAuthorization?> FindAuthorizationAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        var challenges = new List<AcmeChallenge>();
        await using (var command = Command(connection, transaction, $"SELECT {AcmeRows.ChallengeColumns} FROM acme_challenges WHERE authorization_id = @id ORDER BY rowid"))
        {
            command.Parameters.AddWithValue("@id", id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (reader.Read())
            {
                challenges.Add(AcmeRows.ReadChallenge(reader));
            }
        }

        await using var authorization = Command(connection, transaction, $"SELECT {AcmeRows.AuthorizationColumns} FROM acme_authorizations WHERE id = @id");
        authorization.Parameters.AddWithValue("@id", id);
        await using var row = await authorization.ExecuteReaderAsync(cancellationToken);
        return row.Read() ? AcmeRows.ReadAuthorization(row, challenges) : null;
    }
}
