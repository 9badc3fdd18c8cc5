namespace Kith.Acme.Store;

/// <summary>What a restart finds half done: orders whose finalize was cut short, challenges whose validation was.</summary>
public sealed partial class SqliteAcmeStore
{
    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListProcessingChallengeIdsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT id FROM acme_challenges WHERE status = 'processing' ORDER BY rowid");
        return await ReadStringsAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<int> ResetProcessingOrdersAsync(CancellationToken cancellationToken = default)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, null, "UPDATE acme_orders SET status = 'ready' WHERE status = 'processing'");
        var reset = await command.ExecuteNonQueryAsync(cancellationToken);
        _cache.Clear();
        return reset;
    }
}
