using System.Runtime.Versioning;
using Kith.Storage;
using Microsoft.Data.Sqlite;

namespace Kith.Tests.Storage;

/// <summary>The store contract against a temporary SQLite file, plus what only SQLite has: the file.</summary>
public sealed class SqliteCertificateStoreTests : CertificateStoreContract, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kith-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "state", "kith.db");

    protected override async Task<ICertificateStore> CreateStoreAsync() =>
        await SqliteCertificateStore.OpenAsync(Path.Combine(_folder, Guid.NewGuid().ToString("N"), "kith.db"), Ct);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Open_creates_the_missing_folder_and_file_in_wal_mode()
    {
        await using var store = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);

        Assert.True(File.Exists(DatabasePath));
        Assert.Equal(Path.GetFullPath(DatabasePath), store.DatabasePath);
        Assert.Equal("wal", await ScalarAsync<string>("PRAGMA journal_mode"));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_new_database_file_is_readable_by_its_owner_only()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        await using var store = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);
        await store.RecordAsync([Cert("01")], Ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath + "-wal"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(DatabasePath)!));
    }

    [Fact]
    public async Task Reopening_keeps_the_data_and_does_not_apply_migrations_again()
    {
        await using (var first = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct))
        {
            await first.RecordAsync([Cert("01")], Ct);
        }

        string appliedAt = await ScalarAsync<string>("SELECT applied_at FROM schema_migrations WHERE version = 1");
        await using var second = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);

        Assert.NotNull(await second.FindAsync("storage", "01", Ct));
        Assert.Equal(SqliteMigrations.All.Count, await ScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(appliedAt, await ScalarAsync<string>("SELECT applied_at FROM schema_migrations WHERE version = 1"));
    }

    [Fact]
    public async Task A_database_from_a_newer_kith_is_refused_with_an_upgrade_message()
    {
        await (await SqliteCertificateStore.OpenAsync(DatabasePath, Ct)).DisposeAsync();
        await ScalarAsync<long>("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later'); SELECT changes()");

        var ex = await Assert.ThrowsAsync<KithException>(() => SqliteCertificateStore.OpenAsync(DatabasePath, Ct));

        Assert.Contains($"kith.db was written by a newer kith (schema 99, this kith knows {SqliteMigrations.All.Count}): upgrade kith", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_naming_the_path()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await File.WriteAllTextAsync(DatabasePath, "domain: home.arpa\nmachines: {}\n".PadRight(200, '#'), Ct);

        var ex = await Assert.ThrowsAsync<KithException>(() => SqliteCertificateStore.OpenAsync(DatabasePath, Ct));

        Assert.Contains(DatabasePath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("kith database", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_refuses_an_empty_path_naming_the_parameter()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => SqliteCertificateStore.OpenAsync(" ", Ct));

        Assert.Equal("databasePath", ex.ParamName);
    }

    [Fact]
    public void Migrations_are_numbered_from_one_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, SqliteMigrations.All.Count), SqliteMigrations.All.Select(m => m.Version));
    }

    [Fact]
    public async Task A_disposed_store_refuses_further_use()
    {
        var store = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ListAsync(new CertificateQuery(), Ct));
    }

    [Fact]
    public async Task A_hundred_thousand_certificates_in_one_batch_are_all_recorded_and_listed_in_order()
    {
        // Correctness at scale only: the speed is measured by bench/run-fleet.sh (bench/README.md).
        await using var store = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);
        var batch = Enumerable.Range(0, 100_000)
            .Select(i => Cert($"{i:x8}", machine: $"m{i % 50}", notBefore: T0.AddSeconds(i), der: new byte[600]))
            .ToList();

        await store.RecordAsync(batch, Ct);
        var listed = await store.ListAsync(new CertificateQuery(), Ct);

        Assert.Equal(100_000, listed.Count);
        Assert.Equal(batch.Select(c => c.SerialHex), listed.Select(c => c.SerialHex));
        Assert.All(listed, c => Assert.Null(c.Der));
    }

    [Fact]
    public async Task Crl_numbers_keep_rising_after_the_file_is_reopened()
    {
        await using (var first = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct))
        {
            Assert.Equal(1, await first.NextCrlNumberAsync("storage", Ct));
            Assert.Equal(2, await first.NextCrlNumberAsync("storage", Ct));
        }

        await using var second = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);

        Assert.Equal(3, await second.NextCrlNumberAsync("storage", Ct));
    }

    [Fact]
    public async Task Two_stores_on_one_file_never_hand_out_the_same_crl_number()
    {
        await using var first = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);
        await using var second = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);

        var numbers = await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(i => Task.Run(() => (i % 2 == 0 ? first : second).NextCrlNumberAsync("storage", Ct), Ct)));

        Assert.Equal(Enumerable.Range(1, 40).Select(n => (long)n), numbers.Order());
    }

    [Fact]
    public async Task Another_connection_revoking_changes_the_revision_this_store_reads()
    {
        await using var store = await SqliteCertificateStore.OpenAsync(DatabasePath, Ct);
        await store.RecordAsync([Cert("01")], Ct);
        long before = await store.RevisionAsync(Ct);

        // As another process would: its own connection, outside this store.
        await ScalarAsync<long>("UPDATE certificates SET revoked_at = 1, revocation_reason = 1 WHERE serial_hex = '01'; SELECT changes()");

        Assert.NotEqual(before, await store.RevisionAsync(Ct));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
