using Kith.Acme;
using Kith.Acme.Store;

namespace Kith.Tests.Acme.Store;

/// <summary>
/// The store answers recent orders, authorizations and certificates from memory; these tests compare every answer
/// with what a second store on the same file (with nothing in memory) reads from SQLite, after every change.
/// </summary>
public sealed class AcmeStoreCacheTests : AcmeStoreTests
{
    /// <summary>Not a whole second: the store keeps whole seconds, and so must its memory.</summary>
    private static readonly DateTimeOffset Odd = T0.AddMilliseconds(1234.5);

    [Fact]
    public async Task Every_step_of_an_issued_order_reads_the_same_from_memory_as_from_the_file()
    {
        await using var store = await OpenAsync();
        var (_, account) = await store.CreateAccountAsync(Account(), Ct);
        var (order, authorizations) = Order(account!.Id, ["music.home.arpa", "web.home.arpa"]);
        order = order with { Expires = Odd.AddDays(7), CreatedAt = Odd };
        authorizations = [.. authorizations.Select(a => a with { Expires = Odd.AddDays(7) })];

        await store.CreateOrderAsync(order, authorizations, Ct);
        await AssertSameAsync(store, order.Id);

        Assert.True(await store.ValidateChallengeAtOnceAsync(authorizations[0].Challenges[1].Id, Odd, Ct));
        await AssertSameAsync(store, order.Id);
        Assert.Equal(AcmeOrderStatus.Pending, (await store.FindOrderAsync(order.Id, Ct))?.Status);

        Assert.True(await store.TryStartChallengeAsync(authorizations[1].Challenges[0].Id, Ct));
        await AssertSameAsync(store, order.Id);
        Assert.True(await store.CompleteChallengeAsync(authorizations[1].Challenges[0].Id, valid: true, null, Odd, Ct));
        await AssertSameAsync(store, order.Id);
        Assert.Equal(AcmeOrderStatus.Ready, (await store.FindOrderAsync(order.Id, Ct))?.Status);

        Assert.True(await store.TryBeginFinalizeAsync(order.Id, Ct));
        await AssertSameAsync(store, order.Id);
        Assert.True(await store.AbandonFinalizeAsync(order.Id, Ct));
        await AssertSameAsync(store, order.Id);
        Assert.True(await store.TryBeginFinalizeAsync(order.Id, Ct));
        Assert.True(await store.CompleteFinalizeAsync(order.Id, Certificate("0a1b2c"), Ct));
        await AssertSameAsync(store, order.Id);

        Assert.Equal(Certificate("0a1b2c").Der, await store.FindCertificateDerAsync("storage", "0a1b2c", Ct));
        await using (var file = await OpenAsync())
        {
            Assert.Equal(Certificate("0a1b2c").Der, await file.FindCertificateDerAsync("storage", "0a1b2c", Ct));
        }

        Assert.Null(await store.FindCertificateDerAsync("another-issuer", "0a1b2c", Ct));
    }

    [Fact]
    public async Task Failed_deactivated_and_expired_orders_read_the_same_from_memory_as_from_the_file()
    {
        await using var store = await OpenAsync();
        var error = new AcmeStoredError(AcmeErrorType.IncorrectResponse, "http://music.home.arpa/.well-known/acme-challenge/T answered 404");

        var (failed, failedAuthorizations) = await CreateOrderAsync(store);
        Assert.True(await store.TryStartChallengeAsync(failedAuthorizations[0].Challenges[0].Id, Ct));
        Assert.True(await store.CompleteChallengeAsync(failedAuthorizations[0].Challenges[0].Id, valid: false, error, Odd, Ct));
        await AssertSameAsync(store, failed.Id);
        Assert.Equal(error, (await store.FindOrderAsync(failed.Id, Ct))?.Error);

        var ready = await CreateReadyOrderAsync(store);
        Assert.True(await store.DeactivateAuthorizationAsync(ready.AuthorizationIds[0], Ct));
        await AssertSameAsync(store, ready.Id);
        Assert.Equal(AcmeOrderStatus.Invalid, (await store.FindOrderAsync(ready.Id, Ct))?.Status);

        var (expired, _) = await CreateOrderAsync(store);
        Assert.True(await store.InvalidateOrderAsync(expired.Id, new AcmeStoredError(AcmeErrorType.Malformed, "expired"), Ct));
        await AssertSameAsync(store, expired.Id);
    }

    [Fact]
    public async Task Validating_at_once_has_one_winner_and_only_while_the_authorization_is_pending()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store);
        var challenges = authorizations[0].Challenges;

        var won = await RaceAsync(20, i => store.ValidateChallengeAtOnceAsync(challenges[i % 2].Id, T0, Ct));

        Assert.Single(won, w => w);
        Assert.Equal(AcmeOrderStatus.Ready, (await store.FindOrderAsync(order.Id, Ct))?.Status);
        Assert.False(await store.ValidateChallengeAtOnceAsync(challenges[2].Id, T0, Ct));
        Assert.False(await store.ValidateChallengeAtOnceAsync("nothing", T0, Ct));
        Assert.Equal("pending", await ScalarAsync($"SELECT status FROM acme_challenges WHERE id = '{challenges[2].Id}'"));
    }

    [Fact]
    public async Task Readers_racing_a_writer_never_keep_an_old_state()
    {
        await using var store = await OpenAsync();
        for (var round = 0; round < 20; round++)
        {
            var (order, authorizations) = await CreateOrderAsync(store);
            var challenge = authorizations[0].Challenges[0].Id;
            // Fresh store: every read below misses memory and races the write into it.
            await using var racing = await OpenAsync();
            var reads = RaceAsync(8, _ => racing.FindChallengeAsync(challenge, Ct));
            var write = racing.ValidateChallengeAtOnceAsync(challenge, T0, Ct);
            await Task.WhenAll(reads, write);

            Assert.Equal(AcmeChallengeStatus.Valid, (await racing.FindChallengeAsync(challenge, Ct))?.Challenge.Status);
            Assert.Equal(AcmeOrderStatus.Ready, (await racing.FindOrderAsync(order.Id, Ct))?.Status);
        }
    }

    /// <summary>The order, its authorizations and each challenge, as <paramref name="store"/> answers and as a store opened now reads them.</summary>
    private async Task AssertSameAsync(SqliteAcmeStore store, string orderId)
    {
        await using var file = await OpenAsync();
        var order = await store.FindOrderAsync(orderId, Ct);
        Assert.NotNull(order);
        Assert.Equal(Describe(await file.FindOrderAsync(orderId, Ct)), Describe(order));
        foreach (var authorizationId in order.AuthorizationIds)
        {
            var authorization = await store.FindAuthorizationAsync(authorizationId, Ct);
            Assert.NotNull(authorization);
            Assert.Equal(Describe(await file.FindAuthorizationAsync(authorizationId, Ct)), Describe(authorization));
            foreach (var challenge in authorization.Challenges)
            {
                var found = await store.FindChallengeAsync(challenge.Id, Ct);
                var read = await file.FindChallengeAsync(challenge.Id, Ct);
                Assert.Equal(read?.Challenge, found?.Challenge);
                Assert.Equal(Describe(read?.Authorization), Describe(found?.Authorization));
            }
        }
    }

    private static string Describe(AcmeOrder? order) => order is null ? "none" : string.Join(
        " | ",
        order with { Identifiers = [], AuthorizationIds = [] },
        string.Join(",", order.Identifiers),
        string.Join(",", order.AuthorizationIds),
        order.Expires.Offset,
        order.CreatedAt.Offset);

    private static string Describe(AcmeAuthorization? authorization) => authorization is null ? "none" : string.Join(
        " | ",
        authorization with { Challenges = [] },
        string.Join(",", authorization.Challenges),
        authorization.Expires.Offset);
}
