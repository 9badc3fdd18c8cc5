using Kith.Acme.Store;

namespace Kith.Tests.Acme.Store;

public sealed class AcmeStoreExternalAccountKeyTests : AcmeStoreTests
{
    [Fact]
    public async Task An_eab_key_is_found_with_its_hmac_key_and_listed_oldest_first_without_it()
    {
        await using var store = await OpenAsync();
        byte[] hmac = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
        await store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("later", hmac, T0.AddHours(1), null), Ct);
        await store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("first", [9, 9, 9], T0.AddMilliseconds(400), null), Ct);

        var found = await store.FindExternalAccountKeyAsync("later", Ct);
        var listed = await store.ListExternalAccountKeysAsync(Ct);

        Assert.Equal(hmac, found?.HmacKey);
        Assert.Equal(T0.AddHours(1), found?.CreatedAt);
        Assert.Null(found?.BoundAccountId);
        Assert.Equal(["first", "later"], listed.Select(k => k.Kid));
        Assert.All(listed, k => Assert.Empty(k.HmacKey));
        Assert.Equal(T0, listed[0].CreatedAt);
        Assert.Null(await store.FindExternalAccountKeyAsync("unknown", Ct));
    }

    [Fact]
    public async Task Adding_a_kid_twice_is_refused_and_keeps_the_first_key()
    {
        await using var store = await OpenAsync();
        await store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("ops", [1, 2, 3], T0, null), Ct);

        var ex = await Assert.ThrowsAsync<ArgumentException>(
            () => store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("ops", [4, 5, 6], T0, null), Ct));

        Assert.Equal("key", ex.ParamName);
        Assert.Contains("'ops' already exists", ex.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], (await store.FindExternalAccountKeyAsync("ops", Ct))?.HmacKey);
    }

    [Fact]
    public async Task An_empty_hmac_key_is_refused()
    {
        await using var store = await OpenAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(
            () => store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("ops", [], T0, null), Ct));

        Assert.Equal("key", ex.ParamName);
        Assert.Empty(await store.ListExternalAccountKeysAsync(Ct));
    }

    [Fact]
    public async Task An_account_created_with_an_eab_key_binds_it()
    {
        await using var store = await OpenAsync();
        await store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("ops", [1, 2, 3], T0, null), Ct);

        var (outcome, account) = await store.CreateAccountAsync(Account(kid: "ops"), Ct);

        Assert.Equal(AcmeAccountCreation.Created, outcome);
        Assert.Equal("ops", account?.ExternalAccountKid);
        Assert.Equal(account?.Id, (await store.FindExternalAccountKeyAsync("ops", Ct))?.BoundAccountId);
        Assert.Equal(account?.Id, (await store.ListExternalAccountKeysAsync(Ct)).Single().BoundAccountId);
    }

    [Fact]
    public async Task An_eab_key_binds_only_the_first_account_and_a_second_one_is_not_stored()
    {
        await using var store = await OpenAsync();
        await store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("ops", [1, 2, 3], T0, null), Ct);
        var (_, first) = await store.CreateAccountAsync(Account(kid: "ops"), Ct);
        var second = Account(kid: "ops");

        var (outcome, returned) = await store.CreateAccountAsync(second, Ct);

        Assert.Equal(AcmeAccountCreation.ExternalAccountKeyUnusable, outcome);
        Assert.Null(returned);
        Assert.Null(await store.FindAccountAsync(second.Id, Ct));
        Assert.Null(await store.FindAccountByThumbprintAsync(second.Thumbprint, Ct));
        Assert.Equal(first?.Id, (await store.FindExternalAccountKeyAsync("ops", Ct))?.BoundAccountId);
    }

    [Fact]
    public async Task An_unknown_kid_stores_no_account()
    {
        await using var store = await OpenAsync();
        var account = Account(kid: "never-made");

        var (outcome, returned) = await store.CreateAccountAsync(account, Ct);

        Assert.Equal(AcmeAccountCreation.ExternalAccountKeyUnusable, outcome);
        Assert.Null(returned);
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM acme_accounts"));
    }

    [Fact]
    public async Task A_known_key_is_returned_even_with_an_unusable_kid()
    {
        await using var store = await OpenAsync();
        var existing = Account();
        await store.CreateAccountAsync(existing, Ct);

        var (outcome, returned) = await store.CreateAccountAsync(Account(thumbprint: existing.Thumbprint, kid: "never-made"), Ct);

        Assert.Equal(AcmeAccountCreation.ExistingKey, outcome);
        Assert.Equal(existing.Id, returned?.Id);
    }

    [Fact]
    public async Task Parallel_accounts_with_one_eab_key_bind_it_exactly_once()
    {
        await using var store = await OpenAsync();
        await store.AddExternalAccountKeyAsync(new AcmeExternalAccountKey("ops", [1, 2, 3], T0, null), Ct);

        var results = await RaceAsync(10, _ => store.CreateAccountAsync(Account(kid: "ops"), Ct));

        var winner = Assert.Single(results, r => r.Outcome == AcmeAccountCreation.Created);
        Assert.Equal(9, results.Count(r => r.Outcome == AcmeAccountCreation.ExternalAccountKeyUnusable));
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM acme_accounts"));
        Assert.Equal(winner.Account?.Id, (await store.FindExternalAccountKeyAsync("ops", Ct))?.BoundAccountId);
    }
}
