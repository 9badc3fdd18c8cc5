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
    public Task<int> ResetProcessingOrdersAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE acme_orders SET status = 'ready' WHERE status = 'processing'", _ => { }, cancellationToken);
}
