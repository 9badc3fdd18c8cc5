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
        _cache.ChangeOrder(orderId, o => o with { Status = AcmeOrderStatus.Valid, CertificateSerial = certificate.SerialHex });
        if (certificate.Der is { } der)
        {
            _cache.PutCertificate(certificate.Issuer, certificate.SerialHex, der);
        }

        return true;
    }

    /// <inheritdoc/>
    public async Task<byte[]?> FindCertificateDerAsync(string issuer, string serialHex, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        if (_cache.FindCertificate(issuer, serialHex) is { } cached)
        {
            return cached;
        }

        var seen = _cache.Generation;
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT der FROM certificates WHERE issuer = @issuer AND serial_hex = @serial_hex");
        command.Parameters.AddWithValue("@issuer", issuer);
        command.Parameters.AddWithValue("@serial_hex", serialHex);
        if (await command.ExecuteScalarAsync(cancellationToken) is not byte[] der)
        {
            return null;
        }

        _cache.Fill(seen, issuer, serialHex, der);
        return der;
    }

    /// <summary>One compare-and-set: true when the order had status <paramref name="from"/> and now has <paramref name="to"/>.</summary>
    private async Task<bool> MoveOrderAsync(string orderId, AcmeOrderStatus from, AcmeOrderStatus to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        await using var writer = await OpenWriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, null, "UPDATE acme_orders SET status = @to WHERE id = @id AND status = @from");
        command.Parameters.AddWithValue("@id", orderId);
        command.Parameters.AddWithValue("@from", AcmeStoredWords.Encode(from));
        command.Parameters.AddWithValue("@to", AcmeStoredWords.Encode(to));
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            return false;
        }

        _cache.ChangeOrder(orderId, o => o with { Status = to });
        return true;
    }
}
