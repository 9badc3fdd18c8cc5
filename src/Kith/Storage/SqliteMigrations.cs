namespace Kith.Storage;

/// <summary>
/// The SQLite schema, one step per version (see <see cref="SchemaMigrator"/>). Append new steps;
/// never edit a released one. docs/storage.md describes the resulting schema.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "issuance log: certificates with revocation, unique serial per issuer", """
            CREATE TABLE certificates (
                id                INTEGER PRIMARY KEY AUTOINCREMENT,
                issuer            TEXT    NOT NULL,
                serial_hex        TEXT    NOT NULL,
                kind              TEXT    NOT NULL,
                names             TEXT    NOT NULL,
                machine           TEXT,
                service           TEXT,
                not_before        INTEGER NOT NULL,
                not_after         INTEGER NOT NULL,
                revoked_at        INTEGER,
                revocation_reason INTEGER,
                der               BLOB,
                UNIQUE (issuer, serial_hex)
            );
            CREATE INDEX certificates_machine_service_kind ON certificates (machine, service, kind);
            CREATE INDEX certificates_not_after ON certificates (not_after);
            """),
    ];
}
