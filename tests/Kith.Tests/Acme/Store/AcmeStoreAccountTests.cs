using Kith.Acme.Store;

namespace Kith.Tests.Acme.Store;

public sealed class AcmeStoreAccountTests : AcmeStoreTests
{
    [Fact]
    public async Task A_created_account_is_found_by_id_and_by_thumbprint_as_stored()
    {
        await using var store = await OpenAsync();
        var account = Account(contact: ["mailto:ops@home.arpa", "mailto:\"odd, name\"@home.arpa"]) with { CreatedAt = T0.AddMilliseconds(750) };

        var (outcome, created) = await store.CreateAccountAsync(account, Ct);

        Assert.Equal(AcmeAccountCreation.Created, outcome);
        var expected = account with { CreatedAt = T0 }; // whole seconds
        AssertSameAccount(expected, created);
        AssertSameAccount(expected, await store.FindAccountAsync(account.Id, Ct));
        AssertSameAccount(expected, await store.FindAccountByThumbprintAsync(account.Thumbprint, Ct));
    }

    [Fact]
    public async Task Creating_an_account_with_a_known_key_returns_the_existing_account_and_stores_nothing()
    {
        await using var store = await OpenAsync();
        var first = Account();
        await store.CreateAccountAsync(first, Ct);

        var second = Account(thumbprint: first.Thumbprint, contact: ["mailto:other@home.arpa"]);
        var (outcome, returned) = await store.CreateAccountAsync(second, Ct);

        Assert.Equal(AcmeAccountCreation.ExistingKey, outcome);
        AssertSameAccount(first, returned);
        Assert.Null(await store.FindAccountAsync(second.Id, Ct));
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM acme_accounts"));
    }

    [Fact]
    public async Task Parallel_creations_with_one_key_store_exactly_one_account()
    {
        await using var store = await OpenAsync();
        for (int round = 0; round < 10; round++)
        {
            string thumbprint = NewId();
            var results = await RaceAsync(2, _ => store.CreateAccountAsync(Account(thumbprint: thumbprint), Ct));

            Assert.Single(results, r => r.Outcome == AcmeAccountCreation.Created);
            Assert.Single(results, r => r.Outcome == AcmeAccountCreation.ExistingKey);
            Assert.Equal(results[0].Account!.Id, results[1].Account!.Id);
        }

        Assert.Equal(10L, await ScalarAsync("SELECT COUNT(*) FROM acme_accounts"));
    }

    [Fact]
    public async Task An_account_id_already_taken_is_refused_naming_the_parameter()
    {
        await using var store = await OpenAsync();
        var first = Account();
        await store.CreateAccountAsync(first, Ct);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAccountAsync(Account() with { Id = first.Id }, Ct));

        Assert.Equal("account", ex.ParamName);
        Assert.Contains("already taken", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM acme_accounts"));
    }

    [Fact]
    public async Task Unknown_accounts_are_not_found_and_not_changed()
    {
        await using var store = await OpenAsync();

        Assert.Null(await store.FindAccountAsync("nobody", Ct));
        Assert.Null(await store.FindAccountByThumbprintAsync("no-key", Ct));
        Assert.Null(await store.UpdateAccountAsync("nobody", ["mailto:x@home.arpa"], AcmeAccountStatus.Deactivated, Ct));
        Assert.False(await store.ChangeAccountKeyAsync("nobody", NewId(), "{}", Ct));
    }

    [Fact]
    public async Task Updating_the_contacts_keeps_the_status_and_updating_the_status_keeps_the_contacts()
    {
        await using var store = await OpenAsync();
        var account = Account();
        await store.CreateAccountAsync(account, Ct);

        var withContacts = await store.UpdateAccountAsync(account.Id, ["mailto:new@home.arpa"], null, Ct);
        Assert.Equal(["mailto:new@home.arpa"], withContacts!.Contact);
        Assert.Equal(AcmeAccountStatus.Valid, withContacts.Status);

        var deactivated = await store.UpdateAccountAsync(account.Id, null, AcmeAccountStatus.Deactivated, Ct);
        Assert.Equal(["mailto:new@home.arpa"], deactivated!.Contact);
        Assert.Equal(AcmeAccountStatus.Deactivated, deactivated.Status);

        var emptied = await store.UpdateAccountAsync(account.Id, [], null, Ct);
        Assert.Empty(emptied!.Contact);
        AssertSameAccount(emptied, await store.FindAccountAsync(account.Id, Ct));
        Assert.Equal("deactivated", await ScalarAsync($"SELECT status FROM acme_accounts WHERE id = '{account.Id}'"));
    }

    [Fact]
    public async Task A_changed_key_finds_the_account_by_the_new_thumbprint_only()
    {
        await using var store = await OpenAsync();
        var account = Account();
        await store.CreateAccountAsync(account, Ct);
        string newThumbprint = NewId();

        Assert.True(await store.ChangeAccountKeyAsync(account.Id, newThumbprint, """{"kty":"OKP"}""", Ct));

        Assert.Null(await store.FindAccountByThumbprintAsync(account.Thumbprint, Ct));
        var found = await store.FindAccountByThumbprintAsync(newThumbprint, Ct);
        Assert.Equal(account.Id, found?.Id);
        Assert.Equal("""{"kty":"OKP"}""", found?.Jwk);
    }

    [Fact]
    public async Task Changing_to_a_key_another_account_holds_is_refused_and_changes_nothing()
    {
        await using var store = await OpenAsync();
        var first = Account();
        var second = Account();
        await store.CreateAccountAsync(first, Ct);
        await store.CreateAccountAsync(second, Ct);

        Assert.False(await store.ChangeAccountKeyAsync(second.Id, first.Thumbprint, first.Jwk, Ct));

        AssertSameAccount(second, await store.FindAccountAsync(second.Id, Ct));
        Assert.Equal(first.Id, (await store.FindAccountByThumbprintAsync(first.Thumbprint, Ct))?.Id);
    }

    private static void AssertSameAccount(AcmeAccount expected, AcmeAccount? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Thumbprint, actual.Thumbprint);
        Assert.Equal(expected.Jwk, actual.Jwk);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Contact, actual.Contact);
        Assert.Equal(expected.ExternalAccountKid, actual.ExternalAccountKid);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
    }
}
