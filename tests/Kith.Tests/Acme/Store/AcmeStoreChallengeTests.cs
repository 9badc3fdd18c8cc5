using Kith.Acme;
using Kith.Acme.Store;

namespace Kith.Tests.Acme.Store;

public sealed class AcmeStoreChallengeTests : AcmeStoreTests
{
    private static readonly AcmeStoredError Refused = new(AcmeErrorType.IncorrectResponse, "music.home.arpa answered with the wrong key authorization");

    [Fact]
    public async Task A_pending_challenge_starts_once()
    {
        await using var store = await OpenAsync();
        var (_, authorizations) = await CreateOrderAsync(store);
        string challengeId = authorizations[0].Challenges[0].Id;

        Assert.True(await store.TryStartChallengeAsync(challengeId, Ct));
        Assert.False(await store.TryStartChallengeAsync(challengeId, Ct));
        Assert.False(await store.TryStartChallengeAsync("nothing", Ct));

        var (challenge, authorization) = (await store.FindChallengeAsync(challengeId, Ct))!.Value;
        Assert.Equal(AcmeChallengeStatus.Processing, challenge.Status);
        Assert.Equal(AcmeAuthorizationStatus.Pending, authorization.Status);
        Assert.Equal("processing", await ScalarAsync($"SELECT status FROM acme_challenges WHERE id = '{challengeId}'"));
    }

    [Fact]
    public async Task Parallel_starts_of_one_challenge_have_exactly_one_winner()
    {
        await using var store = await OpenAsync();
        var (_, authorizations) = await CreateOrderAsync(store);
        string challengeId = authorizations[0].Challenges[0].Id;

        var started = await RaceAsync(20, _ => store.TryStartChallengeAsync(challengeId, Ct));

        Assert.Single(started, s => s);
    }

    [Fact]
    public async Task Parallel_results_for_one_challenge_are_recorded_once()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store);
        string challengeId = authorizations[0].Challenges[0].Id;
        Assert.True(await store.TryStartChallengeAsync(challengeId, Ct));

        var completed = await RaceAsync(20, i => store.CompleteChallengeAsync(challengeId, valid: i % 2 == 0, Refused, T0, Ct));

        Assert.Single(completed, c => c);
        var decided = (await store.FindAuthorizationAsync(authorizations[0].Id, Ct))!;
        bool valid = decided.Challenges[0].Status == AcmeChallengeStatus.Valid;
        Assert.Equal(valid ? AcmeAuthorizationStatus.Valid : AcmeAuthorizationStatus.Invalid, decided.Status);
        Assert.Equal(valid ? AcmeOrderStatus.Ready : AcmeOrderStatus.Invalid, (await store.FindOrderAsync(order.Id, Ct))?.Status);
    }

    [Fact]
    public async Task A_valid_result_makes_the_order_ready_only_when_its_last_authorization_is_valid()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store, ["music.home.arpa", "photos.home.arpa"]);
        string first = authorizations[0].Challenges[0].Id;
        string second = authorizations[1].Challenges[2].Id;
        Assert.True(await store.TryStartChallengeAsync(first, Ct));
        Assert.True(await store.TryStartChallengeAsync(second, Ct));

        Assert.True(await store.CompleteChallengeAsync(first, valid: true, null, T0.AddSeconds(5).AddMilliseconds(300), Ct));
        Assert.Equal(AcmeOrderStatus.Pending, (await store.FindOrderAsync(order.Id, Ct))?.Status);
        Assert.True(await store.CompleteChallengeAsync(second, valid: true, null, T0.AddSeconds(9), Ct));

        Assert.Equal(AcmeOrderStatus.Ready, (await store.FindOrderAsync(order.Id, Ct))?.Status);
        var authorization = (await store.FindAuthorizationAsync(authorizations[0].Id, Ct))!;
        Assert.Equal(AcmeAuthorizationStatus.Valid, authorization.Status);
        Assert.Equal(AcmeChallengeStatus.Valid, authorization.Challenges[0].Status);
        Assert.Equal(T0.AddSeconds(5), authorization.Challenges[0].Validated);
        Assert.Null(authorization.Challenges[0].Error);
        Assert.All(authorization.Challenges.Skip(1), c => Assert.Equal(AcmeChallengeStatus.Pending, c.Status));
    }

    [Fact]
    public async Task An_invalid_result_makes_the_authorization_and_the_order_invalid_with_the_error()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store, ["music.home.arpa", "photos.home.arpa"]);
        string challengeId = authorizations[0].Challenges[0].Id;
        Assert.True(await store.TryStartChallengeAsync(challengeId, Ct));

        Assert.True(await store.CompleteChallengeAsync(challengeId, valid: false, Refused, T0, Ct));

        var (challenge, authorization) = (await store.FindChallengeAsync(challengeId, Ct))!.Value;
        Assert.Equal(AcmeChallengeStatus.Invalid, challenge.Status);
        Assert.Equal(Refused, challenge.Error);
        Assert.Null(challenge.Validated);
        Assert.Equal(AcmeAuthorizationStatus.Invalid, authorization.Status);
        var invalid = await store.FindOrderAsync(order.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Invalid, invalid?.Status);
        Assert.Equal(Refused, invalid?.Error);
        Assert.Equal("incorrectResponse", await ScalarAsync($"SELECT error_type FROM acme_challenges WHERE id = '{challengeId}'"));

        // The authorization is decided: none of its challenges, nor the failed one, starts again.
        Assert.False(await store.TryStartChallengeAsync(authorizations[0].Challenges[1].Id, Ct));
        Assert.False(await store.TryStartChallengeAsync(challengeId, Ct));
    }

    [Fact]
    public async Task A_result_for_a_challenge_that_is_not_processing_is_refused()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store);
        string challengeId = authorizations[0].Challenges[0].Id;

        Assert.False(await store.CompleteChallengeAsync(challengeId, valid: true, null, T0, Ct));
        Assert.False(await store.CompleteChallengeAsync("nothing", valid: true, null, T0, Ct));
        Assert.True(await store.TryStartChallengeAsync(challengeId, Ct));
        Assert.True(await store.CompleteChallengeAsync(challengeId, valid: true, null, T0, Ct));
        Assert.False(await store.CompleteChallengeAsync(challengeId, valid: false, Refused, T0, Ct));

        Assert.Equal(AcmeChallengeStatus.Valid, (await store.FindChallengeAsync(challengeId, Ct))?.Challenge.Status);
        Assert.Equal(AcmeOrderStatus.Ready, (await store.FindOrderAsync(order.Id, Ct))?.Status);
    }

    [Fact]
    public async Task A_later_result_of_a_second_challenge_records_only_itself()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store);
        string http = authorizations[0].Challenges[0].Id;
        string dns = authorizations[0].Challenges[1].Id;
        Assert.True(await store.TryStartChallengeAsync(http, Ct));
        Assert.True(await store.TryStartChallengeAsync(dns, Ct)); // both started while the authorization was pending

        Assert.True(await store.CompleteChallengeAsync(http, valid: true, null, T0, Ct));
        Assert.True(await store.CompleteChallengeAsync(dns, valid: false, Refused, T0, Ct));

        var authorization = (await store.FindAuthorizationAsync(authorizations[0].Id, Ct))!;
        Assert.Equal(AcmeAuthorizationStatus.Valid, authorization.Status);
        Assert.Equal([AcmeChallengeStatus.Valid, AcmeChallengeStatus.Invalid, AcmeChallengeStatus.Pending], authorization.Challenges.Select(c => c.Status));
        var ready = await store.FindOrderAsync(order.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Ready, ready?.Status);
        Assert.Null(ready?.Error);
    }

    [Fact]
    public async Task Deactivating_a_pending_authorization_invalidates_its_pending_order()
    {
        await using var store = await OpenAsync();
        var (order, authorizations) = await CreateOrderAsync(store);

        Assert.True(await store.DeactivateAuthorizationAsync(authorizations[0].Id, Ct));
        Assert.False(await store.DeactivateAuthorizationAsync(authorizations[0].Id, Ct));
        Assert.False(await store.DeactivateAuthorizationAsync("nothing", Ct));

        Assert.Equal(AcmeAuthorizationStatus.Deactivated, (await store.FindAuthorizationAsync(authorizations[0].Id, Ct))?.Status);
        var invalid = await store.FindOrderAsync(order.Id, Ct);
        Assert.Equal(AcmeOrderStatus.Invalid, invalid?.Status);
        Assert.Equal(AcmeErrorType.Unauthorized, invalid?.Error?.Type);
        Assert.False(await store.TryStartChallengeAsync(authorizations[0].Challenges[0].Id, Ct));
    }

    [Fact]
    public async Task Deactivating_a_valid_authorization_invalidates_a_ready_order_so_it_cannot_be_finalized()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);

        Assert.True(await store.DeactivateAuthorizationAsync(ready.AuthorizationIds[0], Ct));

        Assert.Equal(AcmeOrderStatus.Invalid, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
        Assert.False(await store.TryBeginFinalizeAsync(ready.Id, Ct));
    }

    [Fact]
    public async Task Deactivating_the_authorization_of_a_valid_order_keeps_the_order_valid()
    {
        await using var store = await OpenAsync();
        var ready = await CreateReadyOrderAsync(store);
        Assert.True(await store.TryBeginFinalizeAsync(ready.Id, Ct));
        Assert.True(await store.CompleteFinalizeAsync(ready.Id, Certificate("0b"), Ct));

        Assert.True(await store.DeactivateAuthorizationAsync(ready.AuthorizationIds[0], Ct));

        Assert.Equal(AcmeOrderStatus.Valid, (await store.FindOrderAsync(ready.Id, Ct))?.Status);
    }

    [Fact]
    public async Task An_invalid_authorization_cannot_be_deactivated()
    {
        await using var store = await OpenAsync();
        var (_, authorizations) = await CreateOrderAsync(store);
        string challengeId = authorizations[0].Challenges[0].Id;
        Assert.True(await store.TryStartChallengeAsync(challengeId, Ct));
        Assert.True(await store.CompleteChallengeAsync(challengeId, valid: false, Refused, T0, Ct));

        Assert.False(await store.DeactivateAuthorizationAsync(authorizations[0].Id, Ct));

        Assert.Equal(AcmeAuthorizationStatus.Invalid, (await store.FindAuthorizationAsync(authorizations[0].Id, Ct))?.Status);
    }
}
