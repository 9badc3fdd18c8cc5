using Kith.Acme;
using Kith.Acme.Store;
using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Tests.Acme.Store;

/// <summary>The file: schema version, migration of an older file, restarts, and what an operator reads in it.</summary>
public sealed class AcmeStoreFileTests : AcmeStoreTests
{
    private static readonly string[] AcmeTables = ["acme_accounts", "acme_authorizations", "acme_challenges", "acme_eab_keys", "acme_orders"];

    [Fact]
    public async Task A_fresh_file_gets_schema_version_2_with_the_acme_tables()
    {
        await using var store = await OpenAsync();

        Assert.Equal((long)SqliteMigrations.All[^1].Version, await ScalarAsync("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(AcmeTables, await TablesAsync("acme_%"));
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode"));
        Assert.Equal(Path.GetFullPath(DatabasePath), store.DatabasePath);
    }

    [Fact]
    public async Task Opening_the_issuance_log_alone_also_creates_the_acme_tables()
    {
        await using var log = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);

        Assert.Equal((long)SqliteMigrations.All[^1].Version, await ScalarAsync("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(AcmeTables, await TablesAsync("acme_%"));
    }

    [Fact]
    public async Task A_version_1_file_migrates_to_version_2_keeping_its_certificates()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            // The file an older kith wrote: only step 1, and a certificate in it.
            await connection.OpenAsync(Ct);
            await SchemaMigrator.ApplyAsync(connection, SqliteMigrations.All.Take(1).ToList(), DatabasePath, TimeProvider.System, Ct);
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO certificates (issuer, serial_hex, kind, names, machine, service, not_before, not_after, der)
                VALUES ('root', '7f01', 'host-ca', 'home.arpa', 'storage', NULL, 1893456000, 1924992000, x'3003020101')
                """;
            await insert.ExecuteNonQueryAsync(Ct);
        }

        Assert.Empty(await TablesAsync("acme_%"));
        await using var store = await OpenAsync();
        await using var log = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);

        Assert.Equal((long)SqliteMigrations.All[^1].Version, await ScalarAsync("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(AcmeTables, await TablesAsync("acme_%"));
        var kept = await log.FindAsync("root", "7f01", Ct);
        Assert.Equal(CertificateKind.HostCa, kept?.Kind);
        Assert.Equal(["home.arpa"], kept?.Names);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), kept?.NotBefore);
        Assert.Equal([0x30, 0x03, 0x02, 0x01, 0x01], kept!.Der!);
    }

    [Fact]
    public async Task An_order_survives_restarts_in_the_middle_of_validation_and_finalize()
    {
        AcmeOrder order;
        IReadOnlyList<AcmeAuthorization> authorizations;
        await using (var before = await OpenAsync())
        {
            (order, authorizations) = await CreateOrderAsync(before);
            Assert.True(await before.TryStartChallengeAsync(authorizations[0].Challenges[0].Id, Ct));
        }

        await using (var during = await OpenAsync())
        {
            Assert.Equal(AcmeChallengeStatus.Processing, (await during.FindChallengeAsync(authorizations[0].Challenges[0].Id, Ct))?.Challenge.Status);
            Assert.True(await during.CompleteChallengeAsync(authorizations[0].Challenges[0].Id, valid: true, null, T0, Ct));
            Assert.True(await during.TryBeginFinalizeAsync(order.Id, Ct));
        }

        await using var after = await OpenAsync();
        Assert.Equal(AcmeOrderStatus.Processing, (await after.FindOrderAsync(order.Id, Ct))?.Status);
        Assert.True(await after.CompleteFinalizeAsync(order.Id, Certificate("2a"), Ct));
        var valid = await after.FindOrderAsync(order.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Valid, valid?.Status);
        Assert.Equal(order.Identifiers, valid?.Identifiers);
        Assert.Equal(order.AccountId, (await after.FindAccountAsync(order.AccountId, Ct))?.Id);
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM schema_migrations WHERE version = 2"));
    }

    [Fact]
    public async Task Rows_hold_rfc_words_an_operator_can_read_with_sqlite3()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store, ["*.media.home.arpa"], ["dns-01"]);
        await store.InvalidateOrderAsync(order.Id, new AcmeStoredError(AcmeErrorType.BadCsr, "the CSR names a host outside the order"), Ct);

        Assert.Equal("invalid|badCSR|[{\"type\":\"dns\",\"value\":\"*.media.home.arpa\"}]", await ScalarAsync(
            $"SELECT status || '|' || error_type || '|' || identifiers FROM acme_orders WHERE id = '{order.Id}'"));
        Assert.Equal("pending|dns|media.home.arpa|1", await ScalarAsync(
            $"SELECT status || '|' || identifier_type || '|' || identifier_value || '|' || wildcard FROM acme_authorizations WHERE order_id = '{order.Id}'"));
        Assert.Equal("pending|dns-01", await ScalarAsync(
            $"SELECT status || '|' || type FROM acme_challenges WHERE authorization_id = '{authorizations[0].Id}'"));
        Assert.Equal("valid|[\"mailto:ops@home.arpa\"]", await ScalarAsync(
            $"SELECT status || '|' || contact FROM acme_accounts WHERE id = '{order.AccountId}'"));
    }

    [Fact]
    public async Task A_status_this_kith_does_not_know_is_refused_with_an_upgrade_message()
    {
        AcmeOrder order;
        await using (var before = await OpenAsync())
        {
            (order, _) = await CreateOrderAsync(before);
        }

        // A newer kith wrote the file; this kith opens it afterwards (a running store keeps what it wrote in memory).
        await ScalarAsync($"UPDATE acme_orders SET status = 'paused' WHERE id = '{order.Id}'");
        await using var store = await OpenAsync();

        var ex = await Assert.ThrowsAsync<KithException>(() => store.FindOrderAsync(order.Id, Ct));

        Assert.Contains("unknown order status 'paused'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade kith", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disposed_store_refuses_further_use()
    {
        var store = await OpenAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.FindAccountAsync("any", Ct));
    }

    [Fact]
    public async Task Open_refuses_an_empty_path_naming_the_parameter()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => SqliteAcmeStore.OpenAsync(" ", Ct));

        Assert.Equal("databasePath", ex.ParamName);
    }

    private async Task<string[]> TablesAsync(string pattern)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE @pattern ORDER BY name";
        command.Parameters.AddWithValue("@pattern", pattern);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }
}
