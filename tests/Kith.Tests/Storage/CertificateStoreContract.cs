using Kith.Storage;

namespace Kith.Tests.Storage;

/// <summary>
/// What every <see cref="ICertificateStore"/> backend must do. A backend's test class derives from this
/// and returns a new, empty store from <see cref="CreateStoreAsync"/>; the tests dispose it. Keep these
/// tests free of backend details (SQLite-only checks belong in the SQLite class).
/// </summary>
public abstract partial class CertificateStoreContract
{
    /// <summary>Times X.509 can hold: whole seconds, UTC.</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new, empty store.</summary>
    protected abstract Task<ICertificateStore> CreateStoreAsync();

    protected static CertificateRecord Cert(
        string serial,
        string issuer = "storage",
        CertificateKind kind = CertificateKind.Server,
        string? machine = "storage",
        string? service = "navidrome",
        DateTimeOffset? notBefore = null,
        int days = 7,
        IReadOnlyList<string>? names = null,
        byte[]? der = null)
    {
        var from = notBefore ?? T0;
        return new CertificateRecord(
            issuer, serial, kind, names ?? ["music.home.arpa"], machine, service, from, from.AddDays(days), Der: der ?? [0x30, 0x03, 0x02, 0x01, 0x01]);
    }

    protected static void AssertSameRecord(CertificateRecord expected, CertificateRecord? actual, bool withDer = true)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Issuer, actual.Issuer);
        Assert.Equal(expected.SerialHex, actual.SerialHex);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Names, actual.Names);
        Assert.Equal(expected.Machine, actual.Machine);
        Assert.Equal(expected.Service, actual.Service);
        Assert.Equal(expected.NotBefore, actual.NotBefore);
        Assert.Equal(expected.NotAfter, actual.NotAfter);
        Assert.Equal(expected.RevokedAt, actual.RevokedAt);
        Assert.Equal(expected.RevocationReason, actual.RevocationReason);
        Assert.Equal(withDer ? expected.Der : null, actual.Der);
    }

    [Fact]
    public async Task A_recorded_certificate_is_found_with_its_names_times_and_der()
    {
        await using var store = await CreateStoreAsync();
        var cert = Cert("0a1b2c3d4e5f6071", names: ["music.home.arpa", "www.music.home.arpa", "100.64.0.10"], der: [1, 2, 3, 0, 255]);

        await store.RecordAsync([cert], Ct);

        AssertSameRecord(cert, await store.FindAsync("storage", "0a1b2c3d4e5f6071", Ct));
    }

    [Fact]
    public async Task A_root_ca_without_machine_service_or_names_round_trips()
    {
        await using var store = await CreateStoreAsync();
        var root = Cert("01", issuer: "root", kind: CertificateKind.RootCa, machine: null, service: null, days: 3650, names: []);

        await store.RecordAsync([root], Ct);

        AssertSameRecord(root, await store.FindAsync("root", "01", Ct));
    }

    [Fact]
    public async Task A_revoked_certificate_can_be_recorded_as_such()
    {
        await using var store = await CreateStoreAsync();
        var cert = Cert("02") with { RevokedAt = T0.AddDays(1), RevocationReason = RevocationReason.KeyCompromise };

        await store.RecordAsync([cert], Ct);

        AssertSameRecord(cert, await store.FindAsync("storage", "02", Ct));
    }

    [Fact]
    public async Task Find_returns_null_for_a_serial_nobody_used()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01")], Ct);

        Assert.Null(await store.FindAsync("storage", "02", Ct));
        Assert.Null(await store.FindAsync("edge", "01", Ct));
    }

    [Fact]
    public async Task SerialExists_is_true_only_for_the_issuer_that_used_the_serial()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("ff00")], Ct);

        Assert.True(await store.SerialExistsAsync("storage", "ff00", Ct));
        Assert.False(await store.SerialExistsAsync("edge", "ff00", Ct));
        Assert.False(await store.SerialExistsAsync("storage", "ff01", Ct));
    }

    [Fact]
    public async Task A_duplicate_serial_within_one_batch_stores_nothing_and_names_issuer_and_serial()
    {
        await using var store = await CreateStoreAsync();

        var ex = await Assert.ThrowsAsync<DuplicateSerialException>(
            () => store.RecordAsync([Cert("01"), Cert("02"), Cert("02", service: "other")], Ct));

        Assert.Equal("storage", ex.Issuer);
        Assert.Equal("02", ex.SerialHex);
        Assert.Contains("storage", ex.Message, StringComparison.Ordinal);
        Assert.Contains("02", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync(new CertificateQuery(), Ct));
    }

    [Fact]
    public async Task A_serial_already_in_the_log_fails_the_whole_batch()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("aa")], Ct);

        var ex = await Assert.ThrowsAsync<DuplicateSerialException>(
            () => store.RecordAsync([Cert("bb"), Cert("aa", service: "other"), Cert("cc")], Ct));

        Assert.Equal(("storage", "aa"), (ex.Issuer, ex.SerialHex));
        var left = await store.ListAsync(new CertificateQuery(), Ct);
        Assert.Equal(["aa"], left.Select(c => c.SerialHex));
        Assert.Equal("navidrome", left[0].Service);
    }

    [Fact]
    public async Task The_same_serial_under_different_issuers_is_allowed()
    {
        await using var store = await CreateStoreAsync();

        await store.RecordAsync([Cert("0abc", issuer: "storage"), Cert("0abc", issuer: "edge", machine: "edge")], Ct);

        Assert.Equal(2, (await store.ListAsync(new CertificateQuery(), Ct)).Count);
    }

    [Fact]
    public async Task An_empty_batch_stores_nothing_and_succeeds()
    {
        await using var store = await CreateStoreAsync();

        await store.RecordAsync([], Ct);

        Assert.Empty(await store.ListAsync(new CertificateQuery(), Ct));
    }

    [Fact]
    public async Task Record_refuses_an_upper_case_serial_naming_the_parameter()
    {
        await using var store = await CreateStoreAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.RecordAsync([Cert("0A")], Ct));

        Assert.Equal("certificates", ex.ParamName);
        Assert.Contains("lower-case hex", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_refuses_a_name_with_a_line_break()
    {
        await using var store = await CreateStoreAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.RecordAsync([Cert("01", names: ["a\nb"])], Ct));

        Assert.Contains("line break", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_record_stores_nothing()
    {
        await using var store = await CreateStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.RecordAsync([Cert("01"), Cert("02")], cancelled.Token));

        Assert.Empty(await store.ListAsync(new CertificateQuery(), Ct));
    }

    [Fact]
    public async Task Cancelled_reads_and_revocations_throw()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01")], Ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ListAsync(new CertificateQuery(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.FindAsync("storage", "01", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.FindLatestAsync("storage", "navidrome", CertificateKind.Server, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SerialExistsAsync("storage", "01", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.RevokeAsync("storage", "01", T0, RevocationReason.Superseded, cancelled.Token));
        Assert.False((await store.FindAsync("storage", "01", Ct))!.IsRevoked);
    }

    [Fact]
    public async Task Batches_recorded_concurrently_from_eight_tasks_all_land()
    {
        await using var store = await CreateStoreAsync();
        const int Tasks = 8, Batches = 10, PerBatch = 50;

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            for (int b = 0; b < Batches; b++)
            {
                var batch = Enumerable.Range(0, PerBatch).Select(i => Cert($"{t:x2}{b:x2}{i:x2}", machine: $"m{t}")).ToList();
                await store.RecordAsync(batch, Ct);
            }
        }, Ct)));

        var all = await store.ListAsync(new CertificateQuery(), Ct);
        Assert.Equal(Tasks * Batches * PerBatch, all.Count);
        Assert.Equal(Batches * PerBatch, (await store.ListAsync(new CertificateQuery(Machine: "m3"), Ct)).Count);
    }
}
