using System.Security.Cryptography;
using Kith.Storage;

namespace Kith.Tests.Storage;

/// <summary>The store contract for CRLs, CRL numbers, the revision counter and blocked keys.</summary>
public abstract partial class CertificateStoreContract
{
    [Fact]
    public async Task ListRevoked_returns_the_issuers_unexpired_revoked_certificates_ordered_by_serial()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync(
        [
            Cert("0c", days: 30),
            Cert("0a", days: 30),
            Cert("0b", days: 30),
            Cert("0d", days: 2), // expires at T0+2d: left out when asked for T0+3d
            Cert("0e", days: 3), // expires exactly at T0+3d: still listed
            Cert("0a", issuer: "edge", machine: "edge", days: 30),
        ], Ct);
        await store.RevokeAsync("storage", "0c", T0.AddHours(2), RevocationReason.KeyCompromise, Ct);
        await store.RevokeAsync("storage", "0a", T0.AddHours(1), RevocationReason.Superseded, Ct);
        await store.RevokeAsync("storage", "0d", T0.AddHours(1), RevocationReason.Unspecified, Ct);
        await store.RevokeAsync("storage", "0e", T0.AddHours(3), RevocationReason.CessationOfOperation, Ct);
        await store.RevokeAsync("edge", "0a", T0.AddHours(1), RevocationReason.KeyCompromise, Ct);

        var revoked = await store.ListRevokedAsync("storage", T0.AddDays(3), Ct);

        Assert.Equal(
        [
            new RevokedCertificate("0a", T0.AddHours(1), RevocationReason.Superseded, T0.AddDays(30)),
            new RevokedCertificate("0c", T0.AddHours(2), RevocationReason.KeyCompromise, T0.AddDays(30)),
            new RevokedCertificate("0e", T0.AddHours(3), RevocationReason.CessationOfOperation, T0.AddDays(3)),
        ], revoked);
    }

    [Fact]
    public async Task ListRevoked_is_empty_for_an_issuer_without_revocations()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01")], Ct);

        Assert.Empty(await store.ListRevokedAsync("storage", T0, Ct));
        Assert.Empty(await store.ListRevokedAsync("nobody", T0, Ct));
    }

    [Fact]
    public async Task Crl_numbers_start_at_one_and_rise_by_one_per_issuer()
    {
        await using var store = await CreateStoreAsync();

        Assert.Equal(1, await store.NextCrlNumberAsync("storage", Ct));
        Assert.Equal(2, await store.NextCrlNumberAsync("storage", Ct));
        Assert.Equal(1, await store.NextCrlNumberAsync("root", Ct));
        Assert.Equal(3, await store.NextCrlNumberAsync("storage", Ct));
        Assert.Equal(2, await store.NextCrlNumberAsync("root", Ct));
    }

    [Fact]
    public async Task Concurrent_callers_never_get_the_same_crl_number()
    {
        await using var store = await CreateStoreAsync();

        var numbers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => store.NextCrlNumberAsync("storage", Ct), Ct)));

        Assert.Equal(Enumerable.Range(1, 50).Select(n => (long)n), numbers.Order());
    }

    [Fact]
    public async Task The_revision_changes_when_a_certificate_is_recorded_revoked_or_a_key_blocked()
    {
        await using var store = await CreateStoreAsync();
        long empty = await store.RevisionAsync(Ct);

        await store.RecordAsync([Cert("01")], Ct);
        long recorded = await store.RevisionAsync(Ct);
        await store.RevokeAsync("storage", "01", T0, RevocationReason.Superseded, Ct);
        long revoked = await store.RevisionAsync(Ct);
        await store.BlockKeyAsync(Spki(), RevocationReason.KeyCompromise, T0, Ct);
        long blocked = await store.RevisionAsync(Ct);

        Assert.NotEqual(empty, recorded);
        Assert.NotEqual(recorded, revoked);
        Assert.NotEqual(revoked, blocked);
        Assert.Equal(4, new[] { empty, recorded, revoked, blocked }.Distinct().Count());
    }

    [Fact]
    public async Task Reading_does_not_change_the_revision()
    {
        await using var store = await CreateStoreAsync();
        await store.RecordAsync([Cert("01")], Ct);
        long before = await store.RevisionAsync(Ct);

        await store.ListRevokedAsync("storage", T0, Ct);
        await store.FindAsync("storage", "01", Ct);
        await store.IsKeyBlockedAsync(Spki(), Ct);

        Assert.Equal(before, await store.RevisionAsync(Ct));
    }

    [Fact]
    public async Task A_blocked_key_is_reported_blocked_and_other_keys_are_not()
    {
        await using var store = await CreateStoreAsync();
        byte[] blocked = Spki();
        byte[] other = Spki();

        await store.BlockKeyAsync(blocked, RevocationReason.KeyCompromise, T0, Ct);

        Assert.True(await store.IsKeyBlockedAsync(blocked, Ct));
        Assert.True(await store.IsKeyBlockedAsync((byte[])blocked.Clone(), Ct));
        Assert.False(await store.IsKeyBlockedAsync(other, Ct));
    }

    [Fact]
    public async Task Blocking_a_key_twice_succeeds_and_keeps_it_blocked()
    {
        await using var store = await CreateStoreAsync();
        byte[] key = Spki();

        await store.BlockKeyAsync(key, RevocationReason.KeyCompromise, T0, Ct);
        await store.BlockKeyAsync(key, RevocationReason.Superseded, T0.AddDays(1), Ct);

        Assert.True(await store.IsKeyBlockedAsync(key, Ct));
    }

    [Fact]
    public async Task Blocking_refuses_an_empty_key()
    {
        await using var store = await CreateStoreAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.BlockKeyAsync([], RevocationReason.KeyCompromise, T0, Ct));

        Assert.Equal("subjectPublicKeyInfo", ex.ParamName);
    }

    /// <summary>A fresh P-256 SubjectPublicKeyInfo.</summary>
    protected static byte[] Spki()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportSubjectPublicKeyInfo();
    }
}
