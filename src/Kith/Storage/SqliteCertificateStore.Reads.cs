using System.Text;
using Microsoft.Data.Sqlite;

namespace Kith.Storage;

/// <summary>The queries of <see cref="SqliteCertificateStore"/>.</summary>
public sealed partial class SqliteCertificateStore
{
    // Column order is what ReadRecord expects; the DER column comes last so listings can leave it out.
    private const string Columns =
        "issuer, serial_hex, kind, names, machine, service, not_before, not_after, revoked_at, revocation_reason";

    /// <inheritdoc/>
    public async Task<CertificateRecord?> FindAsync(string issuer, string serialHex, CancellationToken cancellationToken = default)
    {
        StoredCertificate.ValidateKey(issuer, serialHex, nameof(serialHex));
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns}, der FROM certificates WHERE issuer = @issuer AND serial_hex = @serial_hex";
        command.Parameters.AddWithValue("@issuer", issuer);
        command.Parameters.AddWithValue("@serial_hex", serialHex);
        return await ReadSingleAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<CertificateRecord?> FindLatestAsync(string machine, string? service, CertificateKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(machine);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // "service IS @service" matches NULL to NULL (a Host CA has no service) and still uses the index.
        command.CommandText = $"""
            SELECT {Columns}, der FROM certificates
            WHERE machine = @machine AND service IS @service AND kind = @kind AND revoked_at IS NULL
            ORDER BY not_before DESC, id DESC
            LIMIT 1
            """;
        command.Parameters.AddWithValue("@machine", machine);
        command.Parameters.AddWithValue("@service", (object?)service ?? DBNull.Value);
        command.Parameters.AddWithValue("@kind", StoredCertificate.EncodeKind(kind));
        return await ReadSingleAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<CertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT ").Append(Columns);
        if (query.IncludeDer)
        {
            sql.Append(", der");
        }

        sql.Append(" FROM certificates WHERE 1 = 1");
        Filter(command, sql, "issuer", query.Issuer);
        Filter(command, sql, "machine", query.Machine);
        Filter(command, sql, "service", query.Service);
        Filter(command, sql, "kind", query.Kind is { } kind ? StoredCertificate.EncodeKind(kind) : null);
        if (query.ExpiringBefore is { } before)
        {
            sql.Append(" AND not_after < @expiring_before");
            command.Parameters.AddWithValue("@expiring_before", StoredCertificate.EncodeTimeCeiling(before));
        }

        if (query.UnexpiredAt is { } at)
        {
            sql.Append(" AND not_after > @unexpired_at");
            command.Parameters.AddWithValue("@unexpired_at", StoredCertificate.EncodeTime(at));
        }

        if (!query.IncludeRevoked)
        {
            sql.Append(" AND revoked_at IS NULL");
        }

        command.CommandText = sql.Append(" ORDER BY not_after, id").ToString();

        var records = new List<CertificateRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (reader.Read())
        {
            // Checked every 4096 rows: a listing of the whole log stops promptly, at no cost per row.
            if ((records.Count & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            records.Add(ReadRecord(reader, query.IncludeDer));
        }

        return records;
    }

    private static void Filter(SqliteCommand command, StringBuilder sql, string column, string? value)
    {
        if (value is null)
        {
            return;
        }

        // Column names come from this file only; values are always parameters.
        sql.Append(" AND ").Append(column).Append(" = @").Append(column);
        command.Parameters.AddWithValue("@" + column, value);
    }

    private static async Task<CertificateRecord?> ReadSingleAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return reader.Read() ? ReadRecord(reader, includeDer: true) : null;
    }

    private static CertificateRecord ReadRecord(SqliteDataReader reader, bool includeDer) => new(
        Issuer: reader.GetString(0),
        SerialHex: reader.GetString(1),
        Kind: StoredCertificate.DecodeKind(reader.GetString(2)),
        Names: StoredCertificate.DecodeNames(reader.GetString(3)),
        Machine: reader.IsDBNull(4) ? null : reader.GetString(4),
        Service: reader.IsDBNull(5) ? null : reader.GetString(5),
        NotBefore: StoredCertificate.DecodeTime(reader.GetInt64(6)),
        NotAfter: StoredCertificate.DecodeTime(reader.GetInt64(7)),
        RevokedAt: reader.IsDBNull(8) ? null : StoredCertificate.DecodeTime(reader.GetInt64(8)),
        RevocationReason: reader.IsDBNull(9) ? null : StoredCertificate.DecodeReason(reader.GetInt64(9)),
        Der: includeDer && !reader.IsDBNull(10) ? (byte[])reader.GetValue(10) : null);
}
