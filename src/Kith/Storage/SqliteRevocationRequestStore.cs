namespace Kith.Storage;

/// <summary>
/// The operator's revocation requests (table <c>revocation_requests</c> in <c>kith.db</c>, schema step 4): kept
/// until every certificate they could match has expired, and put into every fleet state until then. Safe to share
/// between threads (a pooled connection per operation, as <see cref="SqliteCertificateStore"/>).
/// </summary>
public sealed class SqliteRevocationRequestStore : IAsyncDisposable
{
    private readonly SqliteDatabase database;

    private SqliteRevocationRequestStore(SqliteDatabase database) => this.database = database;

    /// <summary>Opens (creating and migrating as <see cref="SqliteCertificateStore.OpenAsync"/> does) the store at the path.</summary>
    public static async Task<SqliteRevocationRequestStore> OpenAsync(string databasePath, CancellationToken cancellationToken = default) =>
        new(await SqliteDatabase.OpenAsync(databasePath, cancellationToken));

    /// <summary>
    /// Keeps a request; false when the same request (machine, serial or name, and time, to the second) is already
    /// kept. An agent keeps the requests it has carried out here too, so it carries out each one once.
    /// </summary>
    /// <exception cref="ArgumentException">Neither or both of serial and name are set, or the serial is not lower-case hex.</exception>
    public async Task<bool> AddAsync(RevocationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Machine, nameof(request));
        if ((request.SerialHex is null) == (request.Name is null))
        {
            throw new ArgumentException("a revocation request names either a serial or a name", nameof(request));
        }

        if (request.SerialHex is { } serial)
        {
            StoredCertificate.ValidateKey(request.Machine, serial, nameof(request));
        }

        await using var writer = await database.OpenWriterAsync(cancellationToken);
        await using var command = writer.Connection.CreateCommand();
        command.CommandText = """
            INSERT INTO revocation_requests (machine, serial_hex, name, reason, requested_at)
            SELECT @machine, @serial_hex, @name, @reason, @requested_at
            WHERE NOT EXISTS (SELECT 1 FROM revocation_requests
                WHERE machine = @machine AND serial_hex IS @serial_hex AND name IS @name AND requested_at = @requested_at)
            """;
        command.Parameters.AddWithValue("@machine", request.Machine);
        command.Parameters.AddWithValue("@serial_hex", (object?)request.SerialHex ?? DBNull.Value);
        command.Parameters.AddWithValue("@name", (object?)request.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("@reason", StoredCertificate.EncodeReason(request.Reason));
        command.Parameters.AddWithValue("@requested_at", StoredCertificate.EncodeTime(request.RequestedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>True when the same request (machine, serial or name, and time, to the second) is kept.</summary>
    public async Task<bool> ContainsAsync(RevocationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT EXISTS (SELECT 1 FROM revocation_requests
                WHERE machine = @machine AND serial_hex IS @serial_hex AND name IS @name AND requested_at = @requested_at)
            """;
        command.Parameters.AddWithValue("@machine", request.Machine);
        command.Parameters.AddWithValue("@serial_hex", (object?)request.SerialHex ?? DBNull.Value);
        command.Parameters.AddWithValue("@name", (object?)request.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("@requested_at", StoredCertificate.EncodeTime(request.RequestedAt));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>
    /// Removes the requests made before <paramref name="keepFrom"/> (they can no longer match an unexpired
    /// certificate) and returns the others, oldest first.
    /// </summary>
    public async Task<IReadOnlyList<RevocationRequest>> PruneAndListAsync(DateTimeOffset keepFrom, CancellationToken cancellationToken = default)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using (var prune = connection.CreateCommand())
        {
            prune.CommandText = "DELETE FROM revocation_requests WHERE requested_at < @keep_from";
            prune.Parameters.AddWithValue("@keep_from", StoredCertificate.EncodeTime(keepFrom));
            await prune.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT machine, serial_hex, name, reason, requested_at FROM revocation_requests ORDER BY requested_at, id";
        var requests = new List<RevocationRequest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            requests.Add(new RevocationRequest(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                StoredCertificate.DecodeReason(reader.GetInt64(3)),
                StoredCertificate.DecodeTime(reader.GetInt64(4))));
        }

        return requests;
    }

    /// <summary>Releases the pooled connections.</summary>
    public ValueTask DisposeAsync() => database.DisposeAsync();
}
