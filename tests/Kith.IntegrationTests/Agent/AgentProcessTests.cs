using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>
/// <c>kith agent run</c> as a separate process with a certificate from its own Host CA, and <c>kith publish</c>
/// pushing the operator's signed fleet state to it over HTTPS verified against the Root.
/// </summary>
public class AgentProcessTests
{
    private const string OneMachine = TestInventories.AlphaWithWebWithoutFiles;

    [Fact]
    public async Task An_enrolled_agent_serves_https_from_its_host_ca_accepts_a_published_state_and_refuses_replays_and_tampering()
    {
        using var kith = new KithWorkspace(OneMachine);
        var agentFolder = await EnrollAsync(kith, "alpha");
        await kith.SucceedAsync("apply");
        var published = File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json"));

        using var agent = await AgentProcess.StartAsync(kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate);
        using var client = AgentProcess.Client(kith.RootCertificate);

        // Before any state: healthz says so, /state is a problem.
        using (var health = JsonDocument.Parse(await client.GetStringAsync(new Uri(agent.BaseAddress, "/healthz"), TestContext.Current.CancellationToken)))
        {
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("alpha", health.RootElement.GetProperty("machine").GetString());
            Assert.Equal(JsonValueKind.Null, health.RootElement.GetProperty("state_version").ValueKind);
        }

        using (var none = await client.GetAsync(new Uri(agent.BaseAddress, "/state"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        }

        // The agent's own certificate verifies with openssl against the Root alone, address included.
        var (sClient, handshake) = Openssl.Run("s_client", "-connect", $"127.0.0.1:{agent.Port}", "-CAfile", kith.RootCertificate, "-verify_return_error", "-verify_ip", "127.0.0.1");
        Assert.True(sClient == 0, handshake);
        Assert.Contains("Verify return code: 0 (ok)", handshake, StringComparison.Ordinal);

        // Publish: accepted, and /state serves the same bytes.
        var first = await kith.KithAsync("publish", "--to", agent.BaseAddress.ToString());
        Assert.True(first.ExitCode == 0, $"{first}\n{agent.Log}");
        Assert.Matches(@"/state\s+accepted\s+version 1\n", first.Out);
        Assert.Equal(published, await client.GetByteArrayAsync(new Uri(agent.BaseAddress, "/state"), TestContext.Current.CancellationToken));
        Assert.Equal(published, File.ReadAllBytes(Path.Combine(agentFolder, "state.json")));

        // The same version again: refused as not newer, exit 1, the agent keeps its state.
        var replay = await kith.KithAsync("publish", "--to", new Uri(agent.BaseAddress, "/state").ToString());
        Assert.True(replay.ExitCode == 1, replay.ToString());
        Assert.Matches(@"/state\s+refused \(not_newer\)\s+version 1 is not higher", replay.Out);
        Assert.Contains("not higher", replay.Out, StringComparison.Ordinal);

        // A tampered state (version raised, signature kept) and garbage: 4xx, the last good state stays.
        using (var tampered = await PutAsync(client, agent, Tamper(published)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, tampered.StatusCode);
            Assert.Contains("bad_signature", await tampered.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using (var garbage = await PutAsync(client, agent, "not json"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        }

        using (var huge = await PutAsync(client, agent, new byte[(16 * 1024 * 1024) + 1]))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }

        Assert.Equal(published, await client.GetByteArrayAsync(new Uri(agent.BaseAddress, "/state"), TestContext.Current.CancellationToken));
        Assert.Equal(published, File.ReadAllBytes(Path.Combine(agentFolder, "state.json")));

        // Metrics: the version, one acceptance and each refusal by reason.
        var metrics = await client.GetStringAsync(new Uri(agent.BaseAddress, "/metrics"), TestContext.Current.CancellationToken);
        Assert.Contains("\nkith_state_version 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\nkith_state_accepted_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("kith_state_refused_total{reason=\"not_newer\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("kith_state_refused_total{reason=\"bad_signature\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("kith_state_refused_total{reason=\"malformed\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("kith_state_refused_total{reason=\"too_large\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Matches(@"\nkith_host_ca_not_after_seconds \d{10}\n", metrics);
        Assert.Contains("fleet state refused (bad_signature)", agent.Log, StringComparison.Ordinal);

        // SIGTERM: a graceful stop, exit code 0.
        Assert.True(agent.Terminate() == 0, agent.Log);
    }

    [Fact]
    public async Task A_restarted_agent_serves_its_last_good_state_and_still_refuses_that_version()
    {
        using var kith = new KithWorkspace(OneMachine);
        var agentFolder = await EnrollAsync(kith, "alpha");
        await kith.SucceedAsync("apply");
        using (var agent = await AgentProcess.StartAsync(kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate))
        {
            Assert.Equal(0, (await kith.KithAsync("publish", "--to", agent.BaseAddress.ToString())).ExitCode);
        }

        using var again = await AgentProcess.StartAsync(kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate);
        using var client = AgentProcess.Client(kith.RootCertificate);
        using (var health = JsonDocument.Parse(await client.GetStringAsync(new Uri(again.BaseAddress, "/healthz"), TestContext.Current.CancellationToken)))
        {
            Assert.Equal(1, health.RootElement.GetProperty("state_version").GetInt64());
        }

        var replay = await kith.KithAsync("publish", "--to", again.BaseAddress.ToString());
        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("not_newer", replay.Out, StringComparison.Ordinal);

        // A state from another operator (its own Root and publisher, same domain, a higher version) is refused.
        using var other = new KithWorkspace(OneMachine);
        await other.SucceedAsync("init");
        await other.SucceedAsync("apply");
        other.Inventory = other.Write("two.yaml", OneMachine + "\n  api:\n    machine: alpha\n    endpoints: [api.home.arpa]\n");
        await other.SucceedAsync("apply");
        var foreign = File.ReadAllBytes(Path.Combine(other.State, "fleet-state.json"));
        using (var refused = await PutAsync(client, again, foreign))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("publisher_not_certified", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json")), File.ReadAllBytes(Path.Combine(agentFolder, "state.json")));
    }

    [Fact]
    public async Task A_listen_address_outside_the_host_ca_constraints_is_not_put_in_the_certificate_and_publish_does_not_trust_it()
    {
        using var kith = new KithWorkspace(OneMachine.Replace("127.0.0.1", "192.0.2.1", StringComparison.Ordinal));
        var agentFolder = await EnrollAsync(kith, "alpha");
        await kith.SucceedAsync("apply");
        using var agent = await AgentProcess.StartAsync(kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate);

        var (code, handshake) = Openssl.Run("s_client", "-connect", $"127.0.0.1:{agent.Port}", "-CAfile", kith.RootCertificate, "-verify_return_error", "-verify_hostname", "alpha.home.arpa");
        Assert.True(code == 0, handshake);
        var served = kith.Write("served.pem", handshake[handshake.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)..(handshake.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length)] + "\n");
        var names = Openssl.Run("x509", "-in", served, "-noout", "-ext", "subjectAltName").Output;
        Assert.Contains("DNS:alpha.home.arpa", names, StringComparison.Ordinal);
        Assert.DoesNotContain("IP Address", names, StringComparison.Ordinal);

        var publish = await kith.KithAsync("publish", "--to", agent.BaseAddress.ToString());

        Assert.True(publish.ExitCode == 1, publish.ToString());
        Assert.Matches(@"/state\s+untrusted\s+.*certificate", publish.Out);
        Assert.False(File.Exists(Path.Combine(agentFolder, "state.json")));
    }

    [Fact]
    public async Task An_agent_without_its_host_ca_refuses_to_start_and_names_the_next_step()
    {
        using var kith = new KithWorkspace(OneMachine);
        var agentFolder = kith.File("agent-alpha");
        await kith.SucceedAsync("agent", "init", "--machine", "alpha", "--dir", agentFolder);

        var result = await CliRun.RunAsync("agent", "run", "--dir", agentFolder, "--listen", "127.0.0.1:1", "--config", kith.Write("empty.yaml", string.Empty));

        CliRun.AssertCleanFailure(result, 1, "not installed", "kith agent install");
    }

    [Fact]
    public async Task A_bad_agent_config_is_a_clean_failure()
    {
        using var kith = new KithWorkspace(OneMachine);

        CliRun.AssertCleanFailure(await CliRun.RunAsync("agent", "run", "--config", kith.Write("a.yaml", "listen: [127.0.0.1:8555]\nport: 1\n")), 1, "unknown key 'port'");
        CliRun.AssertCleanFailure(await CliRun.RunAsync("agent", "run", "--config", kith.Write("b.yaml", "listen: [localhost:8555]\n")), 1, "localhost:8555");
        CliRun.AssertCleanFailure(await CliRun.RunAsync("agent", "run", "--config", kith.File("missing.yaml")), 1, "no such config file");
    }

    [Fact]
    public async Task Publish_reports_every_target_and_fails_when_any_is_unreachable()
    {
        using var kith = new KithWorkspace(OneMachine);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");

        var result = await kith.KithAsync("publish", "--to", "https://127.0.0.1:1", "--to", "https://127.0.0.1:2/state");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"https://127\.0\.0\.1:1/state\s+unreachable\s+\S", result.Out);
        Assert.Matches(@"https://127\.0\.0\.1:2/state\s+unreachable\s+\S", result.Out);
        Assert.Contains("2 of 2 agents", result.Out, StringComparison.Ordinal);

        var json = await kith.KithAsync("publish", "--to", "https://127.0.0.1:1", "--json");
        Assert.Equal(1, json.ExitCode);
        using var rows = JsonDocument.Parse(json.Out);
        var row = Assert.Single(rows.RootElement.EnumerateArray());
        Assert.Equal("https://127.0.0.1:1/state", row.GetProperty("target").GetString());
        Assert.Equal("unreachable", row.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("version").ValueKind);
        CliRun.AssertCleanFailure(await kith.KithAsync("publish", "--to", "http://127.0.0.1:1"), 1, "not an https:// URL");
    }

    private static async Task<string> EnrollAsync(KithWorkspace kith, string machine)
    {
        await kith.SucceedAsync("init");
        var folder = kith.File($"agent-{machine}");
        await kith.SucceedAsync("agent", "init", "--machine", machine, "--dir", folder);
        var signed = kith.File($"{machine}-host-ca.pem");
        await kith.SucceedAsync("machine", "sign", machine, "--csr", Path.Combine(folder, "host-ca.csr"), "--out", signed);
        var install = await kith.SucceedAsync("agent", "install", "--dir", folder, "--cert", signed, "--root", kith.RootCertificate);
        Assert.Contains("root-ca.pem: kept", install.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(kith.RootCertificate), File.ReadAllBytes(Path.Combine(folder, "root-ca.pem")));
        return folder;
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, AgentProcess agent, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        return await client.PutAsync(new Uri(agent.BaseAddress, "/state"), content, TestContext.Current.CancellationToken);
    }

    /// <summary>The same envelope with the payload's version raised to 99: the signature no longer matches.</summary>
    private static byte[] Tamper(byte[] envelope)
    {
        var document = JsonNode.Parse(envelope)!.AsObject();
        var payload = JsonNode.Parse(Convert.FromBase64String(document["payload"]!.GetValue<string>()))!.AsObject();
        payload["version"] = 99;
        document["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return Encoding.UTF8.GetBytes(document.ToJsonString());
    }
}
