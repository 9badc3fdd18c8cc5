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
        new(2, "ACME server: accounts, orders, authorizations, challenges, external account keys", """
            CREATE TABLE acme_accounts (
                id         TEXT    PRIMARY KEY,
                thumbprint TEXT    NOT NULL UNIQUE,
                jwk        TEXT    NOT NULL,
                status     TEXT    NOT NULL,
                contact    TEXT    NOT NULL,
                eab_kid    TEXT,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE acme_eab_keys (
                kid              TEXT    PRIMARY KEY,
                hmac_key         BLOB    NOT NULL,
                created_at       INTEGER NOT NULL,
                bound_account_id TEXT    UNIQUE REFERENCES acme_accounts (id)
            );
            CREATE TABLE acme_orders (
                id                 TEXT    PRIMARY KEY,
                account_id         TEXT    NOT NULL REFERENCES acme_accounts (id),
                status             TEXT    NOT NULL,
                identifiers        TEXT    NOT NULL,
                expires            INTEGER NOT NULL,
                not_before         INTEGER,
                not_after          INTEGER,
                error_type         TEXT,
                error_detail       TEXT,
                certificate_serial TEXT,
                replaces           TEXT,
                created_at         INTEGER NOT NULL
            );
            CREATE INDEX acme_orders_account ON acme_orders (account_id, created_at);
            CREATE INDEX acme_orders_certificate_serial ON acme_orders (certificate_serial);
            CREATE TABLE acme_authorizations (
                id               TEXT    PRIMARY KEY,
                account_id       TEXT    NOT NULL REFERENCES acme_accounts (id),
                order_id         TEXT    NOT NULL REFERENCES acme_orders (id),
                position         INTEGER NOT NULL,
                identifier_type  TEXT    NOT NULL,
                identifier_value TEXT    NOT NULL,
                wildcard         INTEGER NOT NULL,
                status           TEXT    NOT NULL,
                expires          INTEGER NOT NULL,
                UNIQUE (order_id, position)
            );
            CREATE TABLE acme_challenges (
                id               TEXT    PRIMARY KEY,
                authorization_id TEXT    NOT NULL REFERENCES acme_authorizations (id),
                type             TEXT    NOT NULL,
                token            TEXT    NOT NULL,
                status           TEXT    NOT NULL,
                validated_at     INTEGER,
                error_type       TEXT,
                error_detail     TEXT
            );
            CREATE INDEX acme_challenges_authorization ON acme_challenges (authorization_id);
            """),
        new(3, "revocation: CRL numbers per issuer, blocked keys, a revision counter the agent polls", """
            CREATE TABLE crl_numbers (
                issuer      TEXT    PRIMARY KEY,
                last_number INTEGER NOT NULL
            );
            CREATE TABLE blocked_keys (
                spki_sha256 BLOB    PRIMARY KEY,
                reason      INTEGER NOT NULL,
                blocked_at  INTEGER NOT NULL
            );
            CREATE TABLE store_revision (
                id    INTEGER PRIMARY KEY CHECK (id = 1),
                value INTEGER NOT NULL
            );
            INSERT INTO store_revision (id, value) VALUES (1, 0);
            CREATE TRIGGER certificates_recorded AFTER INSERT ON certificates
            BEGIN
                UPDATE store_revision SET value = value + 1 WHERE id = 1;
            END;
            CREATE TRIGGER certificates_revoked AFTER UPDATE OF revoked_at ON certificates
            WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
            BEGIN
                UPDATE store_revision SET value = value + 1 WHERE id = 1;
            END;
            CREATE TRIGGER blocked_keys_added AFTER INSERT ON blocked_keys
            BEGIN
                UPDATE store_revision SET value = value + 1 WHERE id = 1;
            END;
            CREATE INDEX certificates_revoked ON certificates (issuer, serial_hex) WHERE revoked_at IS NOT NULL;
            """),
    ];
}
