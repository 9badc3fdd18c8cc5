using System.Security.Cryptography;
using System.Text;
using Kith.Acme.Server;

namespace Kith.Tests.Acme.Server;

/// <summary>Bad requests get the right 4xx problem, never a 5xx, and change nothing; races have one winner.</summary>
public sealed class AcmeServerRefusalTests : IAsyncLifetime
{
    private AcmeServerFixture fixture = null!;

    public async ValueTask InitializeAsync() => fixture = await AcmeServerFixture.StartAsync();

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task Of_50_parallel_copies_of_one_request_exactly_one_succeeds_and_the_rest_get_badNonce_with_a_fresh_nonce()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var url = client.Url("new-order");
        var body = await client.SignAsync(url, """{"identifiers":[{"type":"dns","value":"music.home.arpa"}]}""");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() =>
            fixture.Server.HandleAsync(new AcmeHttpRequest("POST", url, AcmeServer.JoseMediaType, body), TestContext.Current.CancellationToken))));

        Assert.Single(responses, r => r.Status == 201);
        var refused = responses.Where(r => r.Status != 201).ToList();
        Assert.Equal(49, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(400, r.Status);
            Assert.Equal("badNonce", AcmeTestClient.ProblemType(r));
        });
        Assert.Equal(50, responses.Select(r => r.ReplayNonce).Distinct().Count());
        Assert.Single(await fixture.Store.ListOrderIdsAsync(client.AccountUrl!.Split('/').Last(), 10, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Twenty_concurrent_finalize_calls_issue_exactly_one_certificate()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (orderUrl, ready) = await client.ReadyOrderAsync("music.home.arpa");
        var finalizeUrl = ready.GetProperty("finalize").GetString()!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = AcmeTestClient.Csr(key, "music.home.arpa");
        var bodies = new List<byte[]>();
        for (var i = 0; i < 20; i++)
        {
            bodies.Add(await client.SignAsync(finalizeUrl, $$"""{"csr":"{{TestAcmeKey.B64(csr)}}"}""", withNonce: await client.FreshNonceAsync()));
        }

        var responses = await Task.WhenAll(bodies.Select(body => Task.Run(() =>
            fixture.Server.HandleAsync(new AcmeHttpRequest("POST", finalizeUrl, AcmeServer.JoseMediaType, body), TestContext.Current.CancellationToken))));

        Assert.Single(responses, r => r.Status == 200);
        Assert.All(responses.Where(r => r.Status != 200), r => Assert.Equal("orderNotReady", AcmeTestClient.ProblemType(r)));
        var issued = await fixture.Certificates.ListAsync(new Kith.Storage.CertificateQuery(), TestContext.Current.CancellationToken);
        Assert.Single(issued, c => c.Service == "acme");
        Assert.Equal("valid", AcmeTestClient.Json(await client.PostAsync(orderUrl, "")).GetProperty("status").GetString());
    }

    public static TheoryData<string, string, int> BadRequests() => new()
    {
        { "alg none", "badSignatureAlgorithm", 400 },
        { "alg HS256", "badSignatureAlgorithm", 400 },
        { "alg ES384 with a P-256 key", "badSignatureAlgorithm", 400 },
        { "both jwk and kid", "malformed", 400 },
        { "url of another resource", "unauthorized", 403 },
        { "content type application/json", "malformed", 415 },
        { "unknown crit header", "malformed", 400 },
        { "oversized body", "malformed", 400 },
        { "signature of another key", "malformed", 400 },
        { "kid of no account", "accountDoesNotExist", 400 },
        { "payload not JSON", "malformed", 400 },
        { "unpadded base64 replaced by padded", "malformed", 400 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_gets_its_4xx_problem_and_changes_nothing(string what, string type, int status)
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var url = client.Url("new-order");
        var payload = """{"identifiers":[{"type":"dns","value":"music.home.arpa"}]}""";
        var nonce = await client.FreshNonceAsync();
        var key = client.Key;
        string Header(string alg, string keyMember, string extra = "", string? target = null) =>
            $$"""{"alg":"{{alg}}",{{keyMember}},"nonce":"{{nonce}}","url":"{{target ?? url}}"{{extra}}}""";
        var kid = $"\"kid\":\"{client.AccountUrl}\"";
        var contentType = AcmeServer.JoseMediaType;
        var requestUrl = url;
        byte[] body = what switch
        {
            "alg none" => TestJws.Flattened(TestAcmeKey.B64(Header("none", kid)), TestAcmeKey.B64(payload), ""),
            "alg HS256" => TestJws.Body(key, Header("HS256", kid), payload),
            "alg ES384 with a P-256 key" => TestJws.Body(key, Header("ES384", kid), payload),
            "both jwk and kid" => TestJws.Body(key, Header(key.Alg, kid + ",\"jwk\":" + key.Jwk), payload),
            "url of another resource" => TestJws.Body(key, Header(key.Alg, kid, target: client.Url("new-account")), payload),
            "content type application/json" => TestJws.Body(key, Header(key.Alg, kid), payload),
            "unknown crit header" => TestJws.Body(key, Header(key.Alg, kid, ",\"crit\":[\"exp\"],\"exp\":1"), payload),
            "oversized body" => Encoding.UTF8.GetBytes("{\"protected\":\"" + new string('A', 70_000) + "\",\"payload\":\"\",\"signature\":\"\"}"),
            "signature of another key" => TestJws.Body(TestAcmeKey.Create("P-256"), Header(key.Alg, kid), payload),
            "kid of no account" => TestJws.Body(key, Header(key.Alg, $"\"kid\":\"{client.Url("account/AAAAAAAAAAAAAAAAAAAAAA")}\""), payload),
            "payload not JSON" => TestJws.Body(key, Header(key.Alg, kid), "{\"identifiers\":"),
            "unpadded base64 replaced by padded" => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(TestJws.Body(key, Header(key.Alg, kid), payload)).Replace("\",\"payload", "==\",\"payload", StringComparison.Ordinal)),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        if (what == "content type application/json")
        {
            contentType = "application/json";
        }

        var response = await fixture.Server.HandleAsync(new AcmeHttpRequest("POST", requestUrl, contentType, body), TestContext.Current.CancellationToken);

        Assert.True(response.Status == status, $"{what}: {AcmeTestClient.Text(response)}");
        Assert.Equal(type, AcmeTestClient.ProblemType(response));
        Assert.NotNull(response.ReplayNonce);
        Assert.Empty(await fixture.Store.ListOrderIdsAsync(client.AccountUrl!.Split('/').Last(), 10, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Reading_with_GET_instead_of_POST_as_GET_is_405_with_Allow()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();

        var response = await client.GetAsync(client.AccountUrl!);

        Assert.Equal(405, response.Status);
        Assert.Equal("POST", response.Allow);
        Assert.Equal("malformed", AcmeTestClient.ProblemType(response));
    }

    [Fact]
    public async Task Random_junk_bodies_never_get_a_5xx()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var random = new Random(4);
        foreach (var path in new[] { "new-account", "new-order", "revoke-cert", "key-change", "order/AAAAAAAAAAAAAAAAAAAAAA/finalize" })
        {
            for (var i = 0; i < 40; i++)
            {
                var body = new byte[random.Next(0, 300)];
                random.NextBytes(body);
                if (i % 2 == 0)
                {
                    body = await client.SignAsync(client.Url(path), Encoding.UTF8.GetString(body).Replace("\"", string.Empty, StringComparison.Ordinal));
                }

                var response = await fixture.Server.HandleAsync(new AcmeHttpRequest("POST", client.Url(path), AcmeServer.JoseMediaType, body), TestContext.Current.CancellationToken);
                Assert.InRange(response.Status, 400, 499);
            }
        }
    }
}
