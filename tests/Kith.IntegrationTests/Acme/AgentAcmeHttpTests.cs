using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Acme;

/// <summary>The agent's ACME server over real HTTPS: the headers RFC 8555 asks for reach the client.</summary>
public class AgentAcmeHttpTests
{
    [Fact]
    public async Task The_agent_serves_the_directory_and_nonces_over_https_with_the_ACME_headers()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaWithWebWithoutFiles);
        await kith.SucceedAsync("init");
        var agentFolder = await AgentEnrollment.EnrollAsync(kith, "alpha");
        using var agent = await AgentProcess.StartAsync(kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate);
        using var client = AgentProcess.Client(kith.RootCertificate);
        var baseUrl = $"https://127.0.0.1:{agent.Port}/acme/";
        var ct = TestContext.Current.CancellationToken;

        using var directoryResponse = await client.GetAsync(new Uri(baseUrl + "directory"), ct);
        Assert.Equal(HttpStatusCode.OK, directoryResponse.StatusCode);
        Assert.Equal("application/json", directoryResponse.Content.Headers.ContentType?.MediaType);
        using var directory = JsonDocument.Parse(await directoryResponse.Content.ReadAsStringAsync(ct));
        Assert.Equal(baseUrl + "new-nonce", directory.RootElement.GetProperty("newNonce").GetString());
        Assert.Equal(baseUrl + "renewal-info", directory.RootElement.GetProperty("renewalInfo").GetString());

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, baseUrl + "new-nonce"), ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", Assert.Single(head.Headers.GetValues("Replay-Nonce")));
        Assert.True(head.Headers.CacheControl?.NoStore);
        Assert.Contains($"<{baseUrl}directory>;rel=\"index\"", head.Headers.GetValues("Link"));

        using var wrongType = new StringContent("{}");
        wrongType.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var refused = await client.PostAsync(new Uri(baseUrl + "new-account"), wrongType, ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Single(refused.Headers.GetValues("Replay-Nonce"));
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(ct));
        Assert.Equal("urn:ietf:params:acme:error:malformed", problem.RootElement.GetProperty("type").GetString());

        using var get = await client.GetAsync(new Uri(baseUrl + "new-order"), ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Contains("POST", get.Content.Headers.Allow);
        Assert.True(File.Exists(Path.Combine(agentFolder, "kith.db")));
    }

    [Fact]
    public async Task The_agent_refuses_to_start_with_auto_valid_challenges_outside_a_test_environment()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaWithWebWithoutFiles);
        await kith.SucceedAsync("init");
        var agentFolder = await AgentEnrollment.EnrollAsync(kith, "alpha");
        Assert.Null(Environment.GetEnvironmentVariable("KITH_ACME_TEST_AUTO_VALID"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AgentProcess.StartAsync(kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate, "acme_test_auto_valid: true"));

        Assert.Contains("acme_test_auto_valid", failure.Message, StringComparison.Ordinal);
        Assert.Contains("for tests and benchmarks only", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", failure.Message, StringComparison.Ordinal);
    }
}
