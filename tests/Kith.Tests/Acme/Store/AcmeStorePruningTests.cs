using Kith.Acme.Store;

namespace Kith.Tests.Acme.Store;

public sealed class AcmeStorePruningTests : AcmeStoreTests
{
    [Fact]
    public async Task Orders_done_with_before_the_cutoff_leave_with_their_authorizations_and_the_rest_stay()
    {
        await using var store = await OpenAsync();
        // Every order of the helpers expires at T0 + 7 days; its certificate (Certificate) too.
        var (stalePending, staleAuthorizations) = await CreateOrderAsync(store);
        var validWithExpiredCertificate = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(validWithExpiredCertificate.Id, Ct));
        Assert.True(await store.CompleteFinalizeAsync(validWithExpiredCertificate.Id, Certificate("0a01"), Ct));
        var validWithLiveCertificate = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(validWithLiveCertificate.Id, Ct));
        Assert.True(await store.CompleteFinalizeAsync(validWithLiveCertificate.Id, Certificate("0a02") with { NotAfter = T0.AddDays(90) }, Ct));
        var processing = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(processing.Id, Ct));

        Assert.Equal(0, await store.PruneOrdersAsync(T0.AddDays(7), Ct));
        var pruned = await store.PruneOrdersAsync(T0.AddDays(37), Ct);

        Assert.Equal(2, pruned);
        Assert.Null(await store.FindOrderAsync(stalePending.Id, Ct));
        Assert.Null(await store.FindAuthorizationAsync(staleAuthorizations[0].Id, Ct));
        Assert.Null(await store.FindChallengeAsync(staleAuthorizations[0].Challenges[0].Id, Ct));
        Assert.Null(await store.FindOrderAsync(validWithExpiredCertificate.Id, Ct));
        Assert.Equal(AcmeOrderStatus.Valid, (await store.FindOrderAsync(validWithLiveCertificate.Id, Ct))?.Status);
        Assert.NotNull(await store.FindOrderByCertificateSerialAsync("0a02", Ct));
        Assert.Equal(AcmeOrderStatus.Processing, (await store.FindOrderAsync(processing.Id, Ct))?.Status);
        Assert.Equal(2L, await ScalarAsync("SELECT count(*) FROM certificates"));
    }
}
