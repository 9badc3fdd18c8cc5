namespace Kith.Acme.Store;

/// <summary>Keeping kith.db from growing for ever: orders done with long ago leave, certificates stay in the issuance log.</summary>
public sealed partial class SqliteAcmeStore
{
    private const string PrunableOrders = """
        SELECT o.id FROM acme_orders o
        WHERE o.expires < @before AND o.status <> 'processing'
          AND (o.status <> 'valid'
               OR NOT EXISTS (SELECT 1 FROM certificates c WHERE c.serial_hex = o.certificate_serial AND c.not_after >= @before))
        """;

    /// <inheritdoc/>
    public async Task<int> PruneOrdersAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var doomed = Command(connection, transaction, $"CREATE TEMP TABLE pruned_orders AS {PrunableOrders}"))
        {
            doomed.Parameters.AddWithValue("@before", AcmeRows.EncodeTime(before));
            await doomed.ExecuteNonQueryAsync(cancellationToken);
        }

        int pruned;
        await using (var delete = Command(connection, transaction, """
            DELETE FROM acme_challenges WHERE authorization_id IN
                (SELECT id FROM acme_authorizations WHERE order_id IN (SELECT id FROM pruned_orders));
            DELETE FROM acme_authorizations WHERE order_id IN (SELECT id FROM pruned_orders);
            DELETE FROM acme_orders WHERE id IN (SELECT id FROM pruned_orders);
            """))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var count = Command(connection, transaction, "SELECT count(*) FROM pruned_orders"))
        {
            pruned = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        await using (var drop = Command(connection, transaction, "DROP TABLE pruned_orders"))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _cache.Clear();
        return pruned;
    }
}
