using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Kith.Acme;
using Kith.Acme.Server;

namespace Kith.Tests.Acme.Server;

/// <summary>What an ACME client sees from the server, in process, over a real SQLite store.</summary>
public sealed class AcmeServerFlowTests : IAsyncLifetime
{
    private AcmeServerFixture fixture = null!;

    public async ValueTask InitializeAsync() => fixture = await AcmeServerFixture.StartAsync();

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task The_directory_lists_every_resource_under_the_base_the_client_used()
    {
        var client = fixture.Client();
        var response = await client.GetAsync(client.Url("directory"));

        Assert.Equal(200, response.Status);
        var directory = AcmeTestClient.Json(response);
        Assert.Equal(client.Url("new-nonce"), directory.GetProperty("newNonce").GetString());
        Assert.Equal(client.Url("new-account"), directory.GetProperty("newAccount").GetString());
        Assert.Equal(client.Url("new-order"), directory.GetProperty("newOrder").GetString());
        Assert.Equal(client.Url("revoke-cert"), directory.GetProperty("revokeCert").GetString());
        Assert.Equal(client.Url("key-change"), directory.GetProperty("keyChange").GetString());
        Assert.Equal(client.Url("renewal-info"), directory.GetProperty("renewalInfo").GetString());
        Assert.False(directory.GetProperty("meta").GetProperty("externalAccountRequired").GetBoolean());
    }

    [Fact]
    public async Task NewNonce_answers_HEAD_with_200_and_GET_with_204_never_cached()
    {
        var client = fixture.Client();
        var head = await client.GetAsync(client.Url("new-nonce"), "HEAD");
        var get = await client.GetAsync(client.Url("new-nonce"));

        Assert.Equal(200, head.Status);
        Assert.Equal(204, get.Status);
        Assert.True(head.NoStore && get.NoStore);
        Assert.Equal(22, head.ReplayNonce!.Length);
        Assert.NotEqual(head.ReplayNonce, get.ReplayNonce);
        Assert.Contains($"<{client.Url("directory")}>;rel=\"index\"", head.Links);
    }

    [Fact]
    public async Task A_client_gets_a_certificate_for_its_names_chained_to_the_Host_CA_and_logged()
    {
        var client = fixture.Client();
        Assert.Equal(201, (await client.NewAccountAsync()).Status);

        var (orderUrl, order, key) = await client.IssueAsync("music.home.arpa", "www.music.home.arpa", "100.64.0.10");

        Assert.Equal("valid", order.GetProperty("status").GetString());
        var download = await client.PostAsync(order.GetProperty("certificate").GetString()!, "");
        Assert.Equal(200, download.Status);
        Assert.Equal("application/pem-certificate-chain", download.ContentType);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(Encoding.ASCII.GetString(download.Body));
        Assert.Equal(2, chain.Count);
        var leaf = chain[0];
        Assert.Equal(fixture.HostCaCertificate.RawData, chain[1].RawData);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["music.home.arpa", "www.music.home.arpa"], san.EnumerateDnsNames().Order());
        Assert.Equal("100.64.0.10", Assert.Single(san.EnumerateIPAddresses()).ToString());
        Assert.True(leaf.NotAfter - leaf.NotBefore <= TimeSpan.FromDays(7) + TimeSpan.FromMinutes(6));

        var logged = await fixture.Certificates.FindAsync(fixture.Authority.Authority.Name, leaf.SerialNumber.ToLowerInvariant(), TestContext.Current.CancellationToken);
        Assert.NotNull(logged);
        Assert.Equal("acme", logged.Service);
        Assert.Equal(leaf.RawData, logged.Der);
        Assert.NotNull(orderUrl);
    }

    [Fact]
    public async Task NewAccount_with_a_known_key_returns_the_same_account_and_onlyReturnExisting_needs_one()
    {
        var client = fixture.Client("Ed25519");
        var first = await client.NewAccountAsync();
        var again = await client.NewAccountAsync("""{"onlyReturnExisting":true}""");
        var stranger = fixture.Client();
        var unknown = await stranger.NewAccountAsync("""{"onlyReturnExisting":true}""");

        Assert.Equal(201, first.Status);
        Assert.Equal(200, again.Status);
        Assert.Equal(first.Location, again.Location);
        Assert.Equal("accountDoesNotExist", AcmeTestClient.ProblemType(unknown));
    }

    [Theory]
    [InlineData("""{"contact":["tel:+4912345"]}""", "unsupportedContact")]
    [InlineData("""{"contact":["mailto:a@b.example?subject=x"]}""", "invalidContact")]
    [InlineData("""{"contact":["mailto:not-an-address"]}""", "invalidContact")]
    [InlineData("""{"contact":"mailto:a@b.example"}""", "malformed")]
    public async Task Bad_contacts_are_refused_and_no_account_is_made(string payload, string type)
    {
        var client = fixture.Client();
        var response = await client.NewAccountAsync(payload);

        Assert.Equal(type, AcmeTestClient.ProblemType(response));
        Assert.Equal(400, response.Status);
        Assert.Equal("accountDoesNotExist", AcmeTestClient.ProblemType(await client.NewAccountAsync("""{"onlyReturnExisting":true}""")));
    }

    [Fact]
    public async Task An_order_for_a_name_outside_the_Host_CA_is_rejectedIdentifier_and_nothing_is_stored()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();

        var response = await client.NewOrderAsync("music.home.arpa", "photos.home.arpa");

        Assert.Equal(400, response.Status);
        Assert.Equal("rejectedIdentifier", AcmeTestClient.ProblemType(response));
        Assert.Contains("photos.home.arpa", AcmeTestClient.Json(response).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var accountId = client.AccountUrl!.Split('/').Last();
        Assert.Empty(await fixture.Store.ListOrderIdsAsync(accountId, 10, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Finalize_before_ready_is_orderNotReady_and_a_CSR_with_other_names_is_badCSR()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var created = await client.NewOrderAsync("music.home.arpa");
        var finalizeUrl = AcmeTestClient.Json(created).GetProperty("finalize").GetString()!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var early = await client.FinalizeAsync(finalizeUrl, AcmeTestClient.Csr(key, "music.home.arpa"));
        Assert.Equal(403, early.Status);
        Assert.Equal("orderNotReady", AcmeTestClient.ProblemType(early));

        var (orderUrl, ready) = await client.ReadyOrderAsync("storage.home.arpa");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        var wrongNames = await client.FinalizeAsync(ready.GetProperty("finalize").GetString()!, AcmeTestClient.Csr(key, "storage.home.arpa", "www.storage.home.arpa"));
        Assert.Equal("badCSR", AcmeTestClient.ProblemType(wrongNames));

        Assert.Equal("ready", AcmeTestClient.Json(await client.PostAsync(orderUrl, "")).GetProperty("status").GetString());
        var good = await client.FinalizeAsync(ready.GetProperty("finalize").GetString()!, AcmeTestClient.Csr(key, "storage.home.arpa"));
        Assert.Equal("valid", AcmeTestClient.Json(good).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Objects_of_another_account_cannot_be_read_or_used()
    {
        var owner = fixture.Client();
        await owner.NewAccountAsync();
        var (orderUrl, order, _) = await owner.IssueAsync("music.home.arpa");
        var authorizationUrl = order.GetProperty("authorizations")[0].GetString()!;
        var authorization = AcmeTestClient.Json(await owner.PostAsync(authorizationUrl, ""));
        var challengeUrl = authorization.GetProperty("challenges")[0].GetProperty("url").GetString()!;
        var other = fixture.Client();
        await other.NewAccountAsync();

        foreach (var url in new[] { orderUrl, authorizationUrl, challengeUrl, order.GetProperty("certificate").GetString()!, owner.AccountUrl!, owner.AccountUrl + "/orders" })
        {
            var response = await other.PostAsync(url, "");
            Assert.True(response.Status is 403 or 404, $"{url}: {AcmeTestClient.Text(response)}");
            Assert.DoesNotContain("music.home.arpa", Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Object_ids_are_128_random_bits_and_never_repeat()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 50; i++)
        {
            var order = AcmeTestClient.Json(await client.NewOrderAsync("music.home.arpa"));
            foreach (var url in new[] { order.GetProperty("finalize").GetString()!.Replace("/finalize", string.Empty, StringComparison.Ordinal), order.GetProperty("authorizations")[0].GetString()! })
            {
                var id = url.Split('/').Last();
                Assert.Matches("^[A-Za-z0-9_-]{22}$", id);
                Assert.True(ids.Add(id));
            }
        }
    }

    [Fact]
    public async Task RenewalInfo_suggests_a_window_in_the_last_third_of_the_certificate_life()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (_, order, _) = await client.IssueAsync("music.home.arpa");
        using var leaf = await DownloadLeafAsync(client, order);

        var response = await client.GetAsync(client.Url("renewal-info/") + CertificateIdentifier.Of(leaf));

        Assert.Equal(200, response.Status);
        Assert.NotNull(response.RetryAfterSeconds);
        var window = AcmeTestClient.Json(response).GetProperty("suggestedWindow");
        var start = DateTimeOffset.Parse(window.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(window.GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var life = leaf.NotAfter.ToUniversalTime() - leaf.NotBefore.ToUniversalTime();
        Assert.InRange(start, new DateTimeOffset(leaf.NotBefore.ToUniversalTime()) + (life / 2), end);
        Assert.True(end < leaf.NotAfter.ToUniversalTime());
    }

    [Fact]
    public async Task A_deactivated_account_can_do_nothing_more()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var deactivated = await client.PostAsync(client.AccountUrl!, """{"status":"deactivated"}""");
        Assert.Equal("deactivated", AcmeTestClient.Json(deactivated).GetProperty("status").GetString());

        var order = await client.NewOrderAsync("music.home.arpa");

        Assert.Equal("unauthorized", AcmeTestClient.ProblemType(order));
    }

    [Fact]
    public async Task KeyChange_moves_the_account_to_the_new_key()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var oldKey = client.Key;
        var newKey = TestAcmeKey.Create("P-384");
        var url = client.Url("key-change");
        var innerHeader = $$"""{"alg":"{{newKey.Alg}}","jwk":{{newKey.Jwk}},"url":"{{url}}"}""";
        var inner = Encoding.UTF8.GetString(TestJws.Body(newKey, innerHeader, $$"""{"account":"{{client.AccountUrl}}","oldKey":{{oldKey.Jwk}}}"""));

        var changed = await client.PostAsync(url, inner);
        Assert.True(changed.Status == 200, AcmeTestClient.Text(changed));

        client.UseKey(newKey);
        Assert.Equal(201, (await client.NewOrderAsync("music.home.arpa")).Status);
        var byOldKey = fixture.Client();
        byOldKey.UseKey(oldKey);
        Assert.Equal("accountDoesNotExist", AcmeTestClient.ProblemType(await byOldKey.NewAccountAsync("""{"onlyReturnExisting":true}""")));
    }

    [Fact]
    public async Task Orders_past_the_rate_limit_get_rateLimited_with_Retry_After()
    {
        await using var limited = await AcmeServerFixture.StartAsync(new AcmeServerOptions { AutoValidChallenges = true, OrdersPerMinute = 1, OrderBurst = 2 });
        var client = limited.Client();
        await client.NewAccountAsync();

        Assert.Equal(201, (await client.NewOrderAsync("music.home.arpa")).Status);
        Assert.Equal(201, (await client.NewOrderAsync("music.home.arpa")).Status);
        var third = await client.NewOrderAsync("music.home.arpa");

        Assert.Equal(429, third.Status);
        Assert.Equal("rateLimited", AcmeTestClient.ProblemType(third));
        Assert.InRange(third.RetryAfterSeconds!.Value, 1, 60);
        var other = limited.Client();
        await other.NewAccountAsync();
        Assert.Equal(201, (await other.NewOrderAsync("music.home.arpa")).Status);
    }

    [Fact]
    public async Task An_order_survives_a_restart_of_the_server_in_the_middle()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (orderUrl, ready) = await client.ReadyOrderAsync("music.home.arpa");

        fixture.Server.Dispose();
        using var restarted = fixture.NewServer(new AcmeServerOptions { AutoValidChallenges = true });
        var after = new AcmeTestClient(restarted, client.Key) { AccountUrl = client.AccountUrl };
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal("ready", AcmeTestClient.Json(await after.PostAsync(orderUrl, "")).GetProperty("status").GetString());
        var finalized = await after.FinalizeAsync(ready.GetProperty("finalize").GetString()!, AcmeTestClient.Csr(key, "music.home.arpa"));
        Assert.Equal("valid", AcmeTestClient.Json(finalized).GetProperty("status").GetString());
    }

    [Fact]
    public async Task After_a_crash_an_interrupted_finalize_is_ready_again_and_an_interrupted_validation_runs_again()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (readyUrl, _) = await client.ReadyOrderAsync("music.home.arpa");
        var readyId = readyUrl.Split('/').Last();
        Assert.True(await fixture.Store.TryBeginFinalizeAsync(readyId, TestContext.Current.CancellationToken));
        var pending = AcmeTestClient.Json(await client.NewOrderAsync("storage.home.arpa"));
        var authorization = AcmeTestClient.Json(await client.PostAsync(pending.GetProperty("authorizations")[0].GetString()!, ""));
        var challengeId = authorization.GetProperty("challenges")[0].GetProperty("url").GetString()!.Split('/').Last();
        Assert.True(await fixture.Store.TryStartChallengeAsync(challengeId, TestContext.Current.CancellationToken));

        fixture.Server.Dispose();
        using var restarted = fixture.NewServer(new AcmeServerOptions { AutoValidChallenges = true });
        await restarted.ResumeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Kith.Acme.Store.AcmeOrderStatus.Ready, (await fixture.Store.FindOrderAsync(readyId, TestContext.Current.CancellationToken))!.Status);
        var (challenge, _) = (await fixture.Store.FindChallengeAsync(challengeId, TestContext.Current.CancellationToken))!.Value;
        Assert.Equal(Kith.Acme.Store.AcmeChallengeStatus.Valid, challenge.Status);
    }

    internal static async Task<X509Certificate2> DownloadLeafAsync(AcmeTestClient client, System.Text.Json.JsonElement order)
    {
        var download = await client.PostAsync(order.GetProperty("certificate").GetString()!, "");
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(Encoding.ASCII.GetString(download.Body));
        return chain[0];
    }
}
