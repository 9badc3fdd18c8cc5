using Microsoft.Data.Sqlite;

namespace Kith.Storage;

/// <summary>
/// The one INSERT into the issuance log's <c>certificates</c> table, prepared once inside the caller's write
/// transaction and run per record. Shared by <see cref="SqliteCertificateStore.RecordAsync"/> and the ACME
/// store's finalize, so a certificate is logged the same way whoever issued it.
/// </summary>
internal sealed class SqliteCertificateInsert : IDisposable
{
    private const string InsertSql = """
        INSERT INTO certificates
            (issuer, serial_hex, kind, names, machine, service, not_before, not_after, revoked_at, revocation_reason, der)
        VALUES
            (@issuer, @serial_hex, @kind, @names, @machine, @service, @not_before, @not_after, @revoked_at, @revocation_reason, @der)
        """;

    private readonly SqliteCommand _command;
    private readonly SqliteParameter _issuer;
    private readonly SqliteParameter _serial;
    private readonly SqliteParameter _kind;
    private readonly SqliteParameter _names;
    private readonly SqliteParameter _machine;
    private readonly SqliteParameter _service;
    private readonly SqliteParameter _notBefore;
    private readonly SqliteParameter _notAfter;
    private readonly SqliteParameter _revokedAt;
    private readonly SqliteParameter _reason;
    private readonly SqliteParameter _der;

    public SqliteCertificateInsert(SqliteConnection connection, SqliteTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = InsertSql;
        _issuer = _command.Parameters.Add("@issuer", SqliteType.Text);
        _serial = _command.Parameters.Add("@serial_hex", SqliteType.Text);
        _kind = _command.Parameters.Add("@kind", SqliteType.Text);
        _names = _command.Parameters.Add("@names", SqliteType.Text);
        _machine = _command.Parameters.Add("@machine", SqliteType.Text);
        _service = _command.Parameters.Add("@service", SqliteType.Text);
        _notBefore = _command.Parameters.Add("@not_before", SqliteType.Integer);
        _notAfter = _command.Parameters.Add("@not_after", SqliteType.Integer);
        _revokedAt = _command.Parameters.Add("@revoked_at", SqliteType.Integer);
        _reason = _command.Parameters.Add("@revocation_reason", SqliteType.Integer);
        _der = _command.Parameters.Add("@der", SqliteType.Blob);
        _command.Prepare(); // compiled once, bound and stepped per row
    }

    /// <summary>
    /// Inserts one record (already checked with <see cref="StoredCertificate.Validate"/>). Throws
    /// <see cref="DuplicateSerialException"/> when the issuer already used the serial; the caller's transaction
    /// is still open then, and disposing it uncommitted rolls the whole batch back.
    /// </summary>
    public void Execute(CertificateRecord record)
    {
        _issuer.Value = record.Issuer;
        _serial.Value = record.SerialHex;
        _kind.Value = StoredCertificate.EncodeKind(record.Kind);
        _names.Value = StoredCertificate.EncodeNames(record.Names);
        _machine.Value = (object?)record.Machine ?? DBNull.Value;
        _service.Value = (object?)record.Service ?? DBNull.Value;
        _notBefore.Value = StoredCertificate.EncodeTime(record.NotBefore);
        _notAfter.Value = StoredCertificate.EncodeTime(record.NotAfter);
        _revokedAt.Value = record.RevokedAt is { } at ? StoredCertificate.EncodeTime(at) : DBNull.Value;
        _reason.Value = record.RevocationReason is { } r ? StoredCertificate.EncodeReason(r) : DBNull.Value;
        _der.Value = (object?)record.Der ?? DBNull.Value;
        try
        {
            _command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (SqliteDatabase.IsDuplicate(ex))
        {
            throw new DuplicateSerialException(record.Issuer, record.SerialHex);
        }
    }

    public void Dispose() => _command.Dispose();
}
