using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>
/// The agent's reconcile loop as a real process: a published state makes it issue the machine's endpoint
/// certificate under files_root and run the reload once; a restart reissues nothing and reloads nothing.
/// </summary>
public class AgentReconcileTests
{
    [Fact]
    public async Task A_published_state_makes_the_agent_issue_the_endpoint_certificate_and_reload_once_and_a_restart_changes_nothing()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaOnly);
        var reloadLog = kith.File("reloads.log");
        kith.Inventory = kith.Write("fleet.yaml", $"""
            domain: home.arpa
            machines:
              alpha: {"{"} addresses: [127.0.0.1] {"}"}
            services:
              web:
                machine: alpha
                endpoints: [web.home.arpa]
                files: {"{"} dir: /var/lib/acme/web {"}"}
                reload: ["/bin/sh", "-c", "echo reloaded >> '{reloadLog}'"]
            """);
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var filesRoot = AgentEnrollment.MakeFilesRoot(kith);
        var endpoint = Path.Combine(filesRoot, "var/lib/acme/web");
        var cert = Path.Combine(endpoint, "cert.pem");
        using var client = AgentProcess.Client(kith.RootCertificate);
        string serial;
        using (var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, filesRoot, "reconcile_interval_seconds: 300"))
        {
            await AgentEnrollment.PublishAsync(kith, agent);

            var metrics = await PollAsync(
                async () => await client.GetStringAsync(new Uri(agent.BaseAddress, "/metrics"), TestContext.Current.CancellationToken),
                text => text.Contains("\nkith_issued_total 1\n", StringComparison.Ordinal) && File.Exists(reloadLog),
                agent);
            Assert.True(File.Exists(cert), agent.Log);
            var (code, output) = Openssl.Verify(kith.RootCertificate, Path.Combine(endpoint, "chain.pem"), cert);
            Assert.True(code == 0, output);
            var (_, fromCert) = Openssl.Run("x509", "-in", cert, "-noout", "-pubkey");
            var (keyCode, fromKey) = Openssl.Run("pkey", "-in", Path.Combine(endpoint, "key.pem"), "-pubout");
            Assert.True(keyCode == 0, fromKey);
            Assert.Equal(fromCert.Trim(), fromKey.Trim());
            Assert.Equal(["reloaded"], File.ReadAllLines(reloadLog));
            Assert.Contains("\nkith_renewed_total 0\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nkith_reconcile_failures_total 0\n", metrics, StringComparison.Ordinal);
            Assert.Matches(@"\nkith_endpoint_not_after_seconds\{endpoint=""web""\} \d{10}\n", metrics);
            Assert.Matches(@"\nkith_last_reconcile_timestamp_seconds \d{10}\n", metrics);
            Assert.Contains("endpoint web: issued", agent.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", agent.Log, StringComparison.Ordinal);
            serial = Serial(cert);
            Assert.True(agent.Terminate() == 0, agent.Log);
        }

        using (var again = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, filesRoot, "reconcile_interval_seconds: 300"))
        {
            // The restarted agent runs a pass at start (it holds the state): it keeps the files.
            var metrics = await PollAsync(
                async () => await client.GetStringAsync(new Uri(again.BaseAddress, "/metrics"), TestContext.Current.CancellationToken),
                text => text.Contains("\nkith_last_reconcile_timestamp_seconds ", StringComparison.Ordinal),
                again);
            Assert.Contains("\nkith_issued_total 0\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nkith_renewed_total 0\n", metrics, StringComparison.Ordinal);
            Assert.Equal(serial, Serial(cert));
            Assert.Equal(["reloaded"], File.ReadAllLines(reloadLog));
            Assert.True(again.Terminate() == 0, again.Log);
        }
    }

    [Fact]
    public async Task An_endpoint_added_on_the_operator_makes_the_agent_install_the_resigned_host_ca_and_issue_its_certificate()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaWithWeb);
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        var filesRoot = AgentEnrollment.MakeFilesRoot(kith);
        using var client = AgentProcess.Client(kith.RootCertificate);
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, filesRoot, "reconcile_interval_seconds: 300");
        await AgentEnrollment.PublishAsync(kith, agent);
        await PollAsync(
            async () => await client.GetStringAsync(new Uri(agent.BaseAddress, "/metrics"), TestContext.Current.CancellationToken),
            text => text.Contains("\nkith_issued_total 1\n", StringComparison.Ordinal),
            agent);
        var installedBefore = File.ReadAllText(Path.Combine(agentFolder, "host-ca.pem"));

        // The operator adds an endpoint: apply re-signs the Host CA (same key, new constraints) and writes a
        // new state; publish alone brings it to the machine.
        kith.Inventory = kith.Write("fleet.yaml", TestInventories.AlphaWithWeb.Replace("endpoints: [web.home.arpa]", "endpoints: [web.home.arpa, api.home.arpa]", StringComparison.Ordinal));
        await kith.SucceedAsync("apply");
        var operatorHostCa = File.ReadAllText(Path.Combine(kith.State, "hosts", "alpha", "host-ca.pem"));
        Assert.NotEqual(installedBefore, operatorHostCa);
        await AgentEnrollment.PublishAsync(kith, agent);

        var webFolder = Path.Combine(filesRoot, "var/lib/acme/web");
        var webCert = Path.Combine(webFolder, "cert.pem");
        var metrics = await PollAsync(
            async () => await client.GetStringAsync(new Uri(agent.BaseAddress, "/metrics"), TestContext.Current.CancellationToken),
            text => text.Contains("\nkith_host_ca_installed_total 1\n", StringComparison.Ordinal) && text.Contains("\nkith_renewed_total 1\n", StringComparison.Ordinal),
            agent);
        var (_, names) = Openssl.Run("x509", "-in", webCert, "-noout", "-ext", "subjectAltName");
        Assert.Contains("DNS:api.home.arpa", names, StringComparison.Ordinal);
        Assert.Equal(operatorHostCa, File.ReadAllText(Path.Combine(agentFolder, "host-ca.pem")));
        var (code, output) = Openssl.Verify(kith.RootCertificate, Path.Combine(webFolder, "chain.pem"), webCert);
        Assert.True(code == 0, output);
        Assert.Contains("host CA: installed a newer certificate", agent.Log, StringComparison.Ordinal);
        Assert.Contains("\nkith_reconcile_failures_total 0\n", metrics, StringComparison.Ordinal);
        Assert.True(agent.Terminate() == 0, agent.Log);
    }

    private static string Serial(string cert)
    {
        var (code, output) = Openssl.Run("x509", "-in", cert, "-noout", "-serial");
        Assert.True(code == 0, output);
        return Regex.Match(output, "serial=([0-9A-F]+)").Groups[1].Value;
    }

    private static async Task<string> PollAsync(Func<Task<string>> read, Func<string, bool> done, AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var text = await read();
            if (done(text))
            {
                return text;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not reached within 30 s; last:\n{text}\n{agent.Log}");
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
