using Kith.Storage;

namespace Kith.Acme.Store;

/// <summary>Finalizing an order (RFC 8555 §7.4): ready → processing → valid, or back to ready.</summary>
public sealed partial class SqliteAcmeStore
{
    /// <inheritdoc/>
    public Task<bool> TryBeginFinalizeAsync(string orderId, CancellationToken cancellationToken = default) =>
        MoveOrderAsync(orderId, from: AcmeOrderStatus.Ready, to: AcmeOrderStatus.Processing, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> AbandonFinalizeAsync(string orderId, CancellationToken cancellationToken = default) =>
        MoveOrderAsync(orderId, from: AcmeOrderStatus.Processing, to: AcmeOrderStatus.Ready, cancellationToken);

    /// <inheritdoc/>
    public async Task<bool> CompleteFinalizeAsync(string orderId, CertificateRecord certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        StoredCertificate.Validate(certificate, nameof(certificate));
        await using var writer = await OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var update = Command(connection, transaction, """
            UPDATE acme_orders SET status = 'valid', certificate_serial = @serial
            WHERE id = @id AND status = 'processing'
            """))
        {
            update.Parameters.AddWithValue("@id", orderId);
            update.Parameters.AddWithValue("@serial", certificate.SerialHex);
            if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        using (var insert = new SqliteCertificateInsert(connection, transaction))
        {
            // A duplicate serial throws here; the uncommitted transaction is dropped and the order stays processing.
            insert.Execute(certificate);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>One compare-and-set: true when the order had status <paramref name="from"/> and now has <paramref name="to"/>.</summary>
    private async Task<bool> MoveOrderAsync(string orderId, AcmeOrderStatus from, AcmeOrderStatus to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        return await ExecuteAsync(
            "UPDATE acme_orders SET status = @to WHERE id = @id AND status = @from",
            command =>
            {
                command.Parameters.AddWithValue("@id", orderId);
                command.Parameters.AddWithValue("@from", AcmeStoredWords.Encode(from));
                command.Parameters.AddWithValue("@to", AcmeStoredWords.Encode(to));
            },
            cancellationToken) == 1;
    }
}
