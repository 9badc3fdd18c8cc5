using System.Globalization;
using System.Security.Cryptography;

namespace Kith.Storage;

/// <summary>What CRLs, OCSP and key blocking need from <see cref="SqliteCertificateStore"/>.</summary>
public sealed partial class SqliteCertificateStore
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<RevokedCertificate>> ListRevokedAsync(string issuer, DateTimeOffset notExpiredAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT serial_hex, revoked_at, revocation_reason, not_after FROM certificates
            WHERE issuer = @issuer AND revoked_at IS NOT NULL AND not_after >= @not_expired_at
            ORDER BY serial_hex
            """;
        command.Parameters.AddWithValue("@issuer", issuer);
        command.Parameters.AddWithValue("@not_expired_at", StoredCertificate.EncodeTime(notExpiredAt));
        var revoked = new List<RevokedCertificate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            if ((revoked.Count & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            revoked.Add(new RevokedCertificate(
                reader.GetString(0),
                StoredCertificate.DecodeTime(reader.GetInt64(1)),
                reader.IsDBNull(2) ? RevocationReason.Unspecified : StoredCertificate.DecodeReason(reader.GetInt64(2)),
                StoredCertificate.DecodeTime(reader.GetInt64(3))));
        }

        return revoked;
    }

    /// <inheritdoc/>
    public Task<long> NextCrlNumberAsync(string issuer, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);

        // One statement, so the increment and the read are one atomic write whoever else is writing.
        return WriteDurablyAsync(
            async (connection, ct) =>
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO crl_numbers (issuer, last_number) VALUES (@issuer, 1)
                    ON CONFLICT (issuer) DO UPDATE SET last_number = last_number + 1
                    RETURNING last_number
                    """;
                command.Parameters.AddWithValue("@issuer", issuer);
                return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<long> RevisionAsync(CancellationToken cancellationToken = default)
    {
        // Triggers (schema step 3) raise this one row on every insert, revocation and blocked key.
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM store_revision WHERE id = 1";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public Task BlockKeyAsync(byte[] subjectPublicKeyInfo, RevocationReason reason, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        byte[] hash = HashKey(subjectPublicKeyInfo);
        int code = StoredCertificate.EncodeReason(reason);
        return WriteDurablyAsync(
            async (connection, ct) =>
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO blocked_keys (spki_sha256, reason, blocked_at) VALUES (@hash, @reason, @at)
                    ON CONFLICT (spki_sha256) DO NOTHING
                    """;
                command.Parameters.AddWithValue("@hash", hash);
                command.Parameters.AddWithValue("@reason", code);
                command.Parameters.AddWithValue("@at", StoredCertificate.EncodeTime(at));
                return await command.ExecuteNonQueryAsync(ct);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<bool> IsKeyBlockedAsync(byte[] subjectPublicKeyInfo, CancellationToken cancellationToken = default)
    {
        byte[] hash = HashKey(subjectPublicKeyInfo);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM blocked_keys WHERE spki_sha256 = @hash)";
        command.Parameters.AddWithValue("@hash", hash);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1;
    }

    private static byte[] HashKey(byte[] subjectPublicKeyInfo)
    {
        ArgumentNullException.ThrowIfNull(subjectPublicKeyInfo);
        if (subjectPublicKeyInfo.Length == 0)
        {
            throw new ArgumentException("the SubjectPublicKeyInfo is empty", nameof(subjectPublicKeyInfo));
        }

        return SHA256.HashData(subjectPublicKeyInfo);
    }
}
