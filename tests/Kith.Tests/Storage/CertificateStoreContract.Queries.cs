using Kith.Storage;

namespace Kith.Tests.Storage;

/// <summary>Listing, latest-certificate lookup and revocation.</summary>
public abstract partial class CertificateStoreContract
{
    private async Task<ICertificateStore> CreateFleetStoreAsync()
    {
        var store = await CreateStoreAsync();
        await store.RecordAsync(
        [
            Cert("01", issuer: "root", kind: CertificateKind.HostCa, machine: "storage", service: null, days: 365, names: ["storage.home.arpa"]),
            Cert("02", issuer: "root", kind: CertificateKind.HostCa, machine: "edge", service: null, days: 365, names: ["edge.home.arpa"]),
            Cert("10", days: 7),
            Cert("11", service: "postgres", days: 3, names: ["db.home.arpa"]),
            Cert("12", kind: CertificateKind.Client, service: "backup", days: 5),
            Cert("20", issuer: "edge", machine: "edge", service: "proxy", days: 1, names: ["edge.home.arpa"]),
        ], Ct);
        return store;
    }

    [Fact]
    public async Task List_orders_by_not_after_then_by_insertion()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("03", days: 9), Cert("01", days: 2), Cert("02", days: 9), Cert("04", days: 1)], Ct);

        var listed = await store.ListAsync(new CertificateQuery(), Ct);

        Assert.Equal(["04", "01", "03", "02"], listed.Select(c => c.SerialHex));
    }

    [Fact]
    public async Task List_filters_by_issuer()
    {
        await using var store = await CreateFleetStoreAsync();

        var listed = await store.ListAsync(new CertificateQuery(Issuer: "root"), Ct);

        Assert.Equal(["01", "02"], listed.Select(c => c.SerialHex));
    }

    [Fact]
    public async Task List_filters_by_machine_service_and_kind_together()
    {
        await using var store = await CreateFleetStoreAsync();

        Assert.Equal(["20", "02"], (await store.ListAsync(new CertificateQuery(Machine: "edge"), Ct)).Select(c => c.SerialHex));
        Assert.Equal(["11", "12", "10", "01"], (await store.ListAsync(new CertificateQuery(Machine: "storage"), Ct)).Select(c => c.SerialHex));
        Assert.Equal(["11"], (await store.ListAsync(new CertificateQuery(Service: "postgres"), Ct)).Select(c => c.SerialHex));
        Assert.Equal(["12"], (await store.ListAsync(new CertificateQuery(Kind: CertificateKind.Client), Ct)).Select(c => c.SerialHex));
        Assert.Equal(["01", "02"], (await store.ListAsync(new CertificateQuery(Kind: CertificateKind.HostCa), Ct)).Select(c => c.SerialHex));
        Assert.Empty(await store.ListAsync(new CertificateQuery(Machine: "edge", Kind: CertificateKind.Client), Ct));
        Assert.Equal(["10"], (await store.ListAsync(
            new CertificateQuery(Issuer: "storage", Machine: "storage", Service: "navidrome", Kind: CertificateKind.Server), Ct)).Select(c => c.SerialHex));
    }

    [Fact]
    public async Task List_expiring_before_leaves_out_certificates_expiring_at_that_instant_or_later()
    {
        await using var store = await CreateFleetStoreAsync();

        var listed = await store.ListAsync(new CertificateQuery(ExpiringBefore: T0.AddDays(5)), Ct);

        Assert.Equal(["20", "11"], listed.Select(c => c.SerialHex));
        Assert.Equal(["20", "11", "12"], (await store.ListAsync(new CertificateQuery(ExpiringBefore: T0.AddDays(5).AddMilliseconds(1)), Ct)).Select(c => c.SerialHex));
    }

    [Fact]
    public async Task List_unexpired_at_leaves_out_certificates_expired_by_then()
    {
        await using var store = await CreateFleetStoreAsync();

        var all = await store.ListAsync(new CertificateQuery(), Ct);
        var unexpired = await store.ListAsync(new CertificateQuery(UnexpiredAt: T0.AddDays(5)), Ct);

        Assert.Equal(all.Where(c => c.NotAfter > T0.AddDays(5)).Select(c => c.SerialHex), unexpired.Select(c => c.SerialHex));
        Assert.NotEmpty(unexpired);
        Assert.True(unexpired.Count < all.Count);
    }

    [Fact]
    public async Task List_can_leave_out_revoked_certificates()
    {
        await using var store = await CreateFleetStoreAsync();
        await store.RevokeAsync("storage", "11", T0.AddDays(1), RevocationReason.KeyCompromise, Ct);

        var live = await store.ListAsync(new CertificateQuery(Issuer: "storage", IncludeRevoked: false), Ct);
        var all = await store.ListAsync(new CertificateQuery(Issuer: "storage"), Ct);

        Assert.Equal(["12", "10"], live.Select(c => c.SerialHex));
        Assert.Equal(["11", "12", "10"], all.Select(c => c.SerialHex));
        Assert.True(all[0].IsRevoked);
    }

    [Fact]
    public async Task List_leaves_out_the_der_unless_asked()
    {
        await using var store = await CreateStoreAsync();
        var cert = Cert("01", der: [9, 8, 7]);
        await store.RecordAsync([cert], Ct);

        AssertSameRecord(cert, Assert.Single(await store.ListAsync(new CertificateQuery(), Ct)), withDer: false);
        AssertSameRecord(cert, Assert.Single(await store.ListAsync(new CertificateQuery(IncludeDer: true), Ct)));
    }

    [Fact]
    public async Task FindLatest_picks_the_latest_not_before_then_the_last_recorded()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01", notBefore: T0.AddDays(2)), Cert("02", notBefore: T0.AddDays(4)), Cert("03", notBefore: T0.AddDays(1))], Ct);
        await store.RecordAsync([Cert("04", notBefore: T0.AddDays(4), der: [4])], Ct);

        var latest = await store.FindLatestAsync("storage", "navidrome", CertificateKind.Server, Ct);

        Assert.Equal("04", latest?.SerialHex);
        Assert.Equal([4], latest?.Der);
    }

    [Fact]
    public async Task FindLatest_skips_revoked_certificates()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01", notBefore: T0), Cert("02", notBefore: T0.AddDays(1))], Ct);
        await store.RevokeAsync("storage", "02", T0.AddDays(2), RevocationReason.Superseded, Ct);

        Assert.Equal("01", (await store.FindLatestAsync("storage", "navidrome", CertificateKind.Server, Ct))?.SerialHex);

        await store.RevokeAsync("storage", "01", T0.AddDays(2), RevocationReason.Superseded, Ct);
        Assert.Null(await store.FindLatestAsync("storage", "navidrome", CertificateKind.Server, Ct));
    }

    [Fact]
    public async Task FindLatest_matches_machine_service_and_kind_exactly()
    {
        await using var store = await CreateFleetStoreAsync();

        Assert.Equal("01", (await store.FindLatestAsync("storage", null, CertificateKind.HostCa, Ct))?.SerialHex);
        Assert.Equal("12", (await store.FindLatestAsync("storage", "backup", CertificateKind.Client, Ct))?.SerialHex);
        Assert.Null(await store.FindLatestAsync("storage", "backup", CertificateKind.Server, Ct));
        Assert.Null(await store.FindLatestAsync("storage", null, CertificateKind.Server, Ct));
        Assert.Null(await store.FindLatestAsync("laptop", "navidrome", CertificateKind.Server, Ct));
    }

    [Fact]
    public async Task Revoke_records_the_time_and_reason()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01")], Ct);

        Assert.True(await store.RevokeAsync("storage", "01", T0.AddHours(5), RevocationReason.CessationOfOperation, Ct));

        var found = await store.FindAsync("storage", "01", Ct);
        Assert.Equal(T0.AddHours(5), found?.RevokedAt);
        Assert.Equal(RevocationReason.CessationOfOperation, found?.RevocationReason);
    }

    [Fact]
    public async Task Revoking_twice_keeps_the_first_time_and_reason()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01")], Ct);
        await store.RevokeAsync("storage", "01", T0.AddHours(1), RevocationReason.KeyCompromise, Ct);

        Assert.True(await store.RevokeAsync("storage", "01", T0.AddHours(2), RevocationReason.Superseded, Ct));

        var found = await store.FindAsync("storage", "01", Ct);
        Assert.Equal(T0.AddHours(1), found?.RevokedAt);
        Assert.Equal(RevocationReason.KeyCompromise, found?.RevocationReason);
    }

    [Fact]
    public async Task Revoking_an_unknown_certificate_returns_false_and_changes_nothing()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01")], Ct);

        Assert.False(await store.RevokeAsync("edge", "01", T0, RevocationReason.KeyCompromise, Ct));
        Assert.False((await store.FindAsync("storage", "01", Ct))!.IsRevoked);
    }
}
