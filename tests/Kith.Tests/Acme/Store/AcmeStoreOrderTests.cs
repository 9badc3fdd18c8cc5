using Kith.Acme;
using Kith.Acme.Store;

namespace Kith.Tests.Acme.Store;

public sealed class AcmeStoreOrderTests : AcmeStoreTests
{
    [Fact]
    public async Task A_created_order_is_found_with_its_identifiers_authorizations_and_whole_second_times()
    {
        await using var store = await OpenAsync();
        var (_, account) = await store.CreateAccountAsync(Account(), Ct);
        var (order, authorizations) = Order(account!.Id, ["music.home.arpa", "*.media.home.arpa"], replaces: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
        order = order with
        {
            Expires = T0.AddDays(7).AddMilliseconds(999),
            NotBefore = T0.AddHours(1),
            NotAfter = T0.AddDays(3),
        };

        await store.CreateOrderAsync(order, authorizations, Ct);
        var found = await store.FindOrderAsync(order.Id, Ct);

        Assert.NotNull(found);
        Assert.Equal(account.Id, found.AccountId);
        Assert.Equal(AcmeOrderStatus.Pending, found.Status);
        Assert.Equal(order.Identifiers, found.Identifiers);
        Assert.Equal(authorizations.Select(a => a.Id), found.AuthorizationIds);
        Assert.Equal(T0.AddDays(7), found.Expires);
        Assert.Equal(T0.AddHours(1), found.NotBefore);
        Assert.Equal(T0.AddDays(3), found.NotAfter);
        Assert.Null(found.Error);
        Assert.Null(found.CertificateSerial);
        Assert.Equal(order.Replaces, found.Replaces);
        Assert.Equal(T0, found.CreatedAt);
    }

    [Fact]
    public async Task Authorizations_and_challenges_are_found_as_given_and_a_challenge_with_its_authorization()
    {
        await using var store = await OpenAsync();
        var (_, authorizations) = await CreateOrderAsync(store, ["music.home.arpa", "*.media.home.arpa"]);

        foreach (var expected in authorizations)
        {
            var found = await store.FindAuthorizationAsync(expected.Id, Ct);
            Assert.NotNull(found);
            Assert.Equal(expected.AccountId, found.AccountId);
            Assert.Equal(expected.OrderId, found.OrderId);
            Assert.Equal(expected.Identifier, found.Identifier);
            Assert.Equal(expected.Wildcard, found.Wildcard);
            Assert.Equal(AcmeAuthorizationStatus.Pending, found.Status);
            Assert.Equal(expected.Expires, found.Expires);
            Assert.Equal(expected.Challenges, found.Challenges); // records: ids, types, tokens, statuses, in order
        }

        var wildcard = authorizations[1];
        Assert.True(wildcard.Wildcard);
        Assert.Equal(new AcmeIdentifier(AcmeIdentifier.Dns, "media.home.arpa"), wildcard.Identifier);
        var challenge = wildcard.Challenges[1];
        var pair = await store.FindChallengeAsync(challenge.Id, Ct);
        Assert.NotNull(pair);
        Assert.Equal(challenge, pair.Value.Challenge);
        Assert.Equal(wildcard.Id, pair.Value.Authorization.Id);
        Assert.Equal(3, pair.Value.Authorization.Challenges.Count);
    }

    [Fact]
    public async Task Unknown_orders_authorizations_and_challenges_are_not_found()
    {
        await using var store = await OpenAsync();

        Assert.Null(await store.FindOrderAsync("nothing", Ct));
        Assert.Null(await store.FindOrderByCertificateSerialAsync("0a", Ct));
        Assert.Null(await store.FindAuthorizationAsync("nothing", Ct));
        Assert.Null(await store.FindChallengeAsync("nothing", Ct));
        Assert.Empty(await store.ListOrderIdsAsync("nobody", 10, Ct));
    }

    [Fact]
    public async Task An_order_of_an_unknown_account_is_refused_and_nothing_is_stored()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = Order("nobody");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateOrderAsync(order, authorizations, Ct));

        Assert.Contains("account 'nobody', which does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.FindOrderAsync(order.Id, Ct));
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM acme_authorizations"));
    }

    [Fact]
    public async Task An_order_reusing_a_challenge_id_is_refused_and_nothing_of_it_is_stored()
    {
        await using var store = await OpenAsync();
        var (first, firstAuthorizations) = await CreateOrderAsync(store);
        var (order, authorizations) = Order(first.AccountId);
        var authorization = authorizations[0];
        var reused = authorization with
        {
            Challenges = [authorization.Challenges[0] with { Id = firstAuthorizations[0].Challenges[0].Id }],
        };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateOrderAsync(order, [reused], Ct));

        Assert.Contains("already taken", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.FindOrderAsync(order.Id, Ct));
        Assert.Null(await store.FindAuthorizationAsync(authorization.Id, Ct));
    }

    [Fact]
    public async Task An_order_whose_authorizations_do_not_match_its_list_is_refused()
    {
        await using var store = await OpenAsync();
        var (_, account) = await store.CreateAccountAsync(Account(), Ct);
        var (order, authorizations) = Order(account!.Id, ["a.home.arpa", "b.home.arpa"]);
        var (other, _) = Order(account.Id);

        var swapped = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateOrderAsync(order, [authorizations[1], authorizations[0]], Ct));
        var foreign = await Assert.ThrowsAsync<ArgumentException>(
            () => store.CreateOrderAsync(other with { AuthorizationIds = [authorizations[0].Id] }, [authorizations[0]], Ct));

        Assert.Equal("order", swapped.ParamName);
        Assert.Equal("authorizations", foreign.ParamName);
        Assert.Null(await store.FindOrderAsync(order.Id, Ct));
        Assert.Null(await store.FindOrderAsync(other.Id, Ct));
    }

    [Fact]
    public async Task Order_ids_are_listed_newest_first_up_to_the_limit_for_that_account_only()
    {
        await using var store = await OpenAsync();
        var (_, account) = await store.CreateAccountAsync(Account(), Ct);
        var ids = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            var (order, authorizations) = Order(account!.Id);
            await store.CreateOrderAsync(order with { CreatedAt = T0.AddMinutes(i) }, authorizations, Ct);
            ids.Add(order.Id);
        }

        await CreateOrderAsync(store); // another account's

        Assert.Equal([ids[4], ids[3], ids[2]], await store.ListOrderIdsAsync(account!.Id, 3, Ct));
        Assert.Equal(Enumerable.Reverse(ids), await store.ListOrderIdsAsync(account.Id, 100, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListOrderIdsAsync(account.Id, 0, Ct));
    }

    [Fact]
    public async Task A_pending_or_ready_order_is_invalidated_with_its_error_and_others_are_not()
    {
        await using var store = await OpenAsync();
        var (pending, _) = await CreateOrderAsync(store);
        var ready = await CreateReadyOrderAsync(store);
        var processing = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(processing.Id, Ct));
        var expired = new AcmeStoredError(AcmeErrorType.Malformed, "the order expired before it was finalized");

        Assert.True(await store.InvalidateOrderAsync(pending.Id, expired, Ct));
        Assert.True(await store.InvalidateOrderAsync(ready.Id, expired, Ct));
        Assert.False(await store.InvalidateOrderAsync(processing.Id, expired, Ct));
        Assert.False(await store.InvalidateOrderAsync(pending.Id, expired, Ct));
        Assert.False(await store.InvalidateOrderAsync("nothing", expired, Ct));

        var invalid = await store.FindOrderAsync(pending.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Invalid, invalid?.Status);
        Assert.Equal(expired, invalid?.Error);
        Assert.Equal(AcmeOrderStatus.Invalid, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
        Assert.Equal(AcmeOrderStatus.Processing, (await store.FindOrderAsync(processing.Id, Ct))?.Status);
        Assert.Equal("invalid", await ScalarAsync($"SELECT status FROM acme_orders WHERE id = '{pending.Id}'"));
        Assert.Equal("malformed", await ScalarAsync($"SELECT error_type FROM acme_orders WHERE id = '{pending.Id}'"));
    }
}
