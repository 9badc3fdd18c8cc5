using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Agent;

/// <summary>The agent's own HTTPS certificate follows its Host CA while it runs: no restart after a re-sign.</summary>
public partial class AgentCertificateRenewalTests
{
    [Fact]
    public async Task After_a_host_ca_resign_new_tls_connections_get_a_certificate_and_chain_from_the_new_host_ca_without_a_restart()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaWithWeb);
        var agentFolder = await AgentEnrollment.EnrollAlphaAndApplyAsync(kith);
        using var agent = await AgentEnrollment.StartAlphaAsync(kith, agentFolder, AgentEnrollment.MakeFilesRoot(kith), "reconcile_interval_seconds: 300");
        var pid = agent.Pid;
        var (leafBefore, hostCaBefore) = ServedChain(agent.Port, kith);
        Assert.Equal(Serial(Path.Combine(agentFolder, "host-ca.pem")), hostCaBefore);

        // The operator adds an endpoint: apply re-signs the Host CA (same key), publish brings it to the agent.
        kith.Inventory = kith.Write("fleet.yaml", TestInventories.AlphaWithWeb.Replace("[web.home.arpa]", "[web.home.arpa, api.home.arpa]", StringComparison.Ordinal));
        await kith.SucceedAsync("apply");
        await AgentEnrollment.PublishAsync(kith, agent);
        await AgentEnrollment.WaitAsync(() => agent.Log.Contains("host CA: installed a newer certificate", StringComparison.Ordinal), agent);
        var installed = Serial(Path.Combine(agentFolder, "host-ca.pem"));
        Assert.NotEqual(hostCaBefore, installed);

        var (leafAfter, hostCaAfter) = ServedChain(agent.Port, kith);
        Assert.Equal(installed, hostCaAfter);
        Assert.NotEqual(leafBefore, leafAfter);
        Assert.Equal(pid, agent.Pid);
        Assert.Contains("agent certificate renewed", agent.Log, StringComparison.Ordinal);
        Assert.Contains($"issued by the Host CA with serial {installed.ToLowerInvariant()}", agent.Log, StringComparison.Ordinal);
        Assert.True(agent.Terminate() == 0, agent.Log);
    }

    /// <summary>What openssl s_client receives: the leaf's serial and the serial of the Host CA sent in the chain, which must verify to the Root.</summary>
    private static (string Leaf, string HostCa) ServedChain(int port, KithWorkspace kith)
    {
        var (code, output) = Openssl.Run("s_client", "-connect", $"127.0.0.1:{port}", "-showcerts", "-verify_return_error", "-CAfile", kith.RootCertificate);
        Assert.True(code == 0, output);
        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        var blocks = PemBlock().Matches(output).Select(m => m.Value).ToList();
        Assert.Equal(2, blocks.Count);
        return (SerialOf(blocks[0], kith), SerialOf(blocks[1], kith));
    }

    private static string SerialOf(string pem, KithWorkspace kith) => Serial(kith.Write($"served-{Guid.NewGuid():N}.pem", pem));

    private static string Serial(string certificatePath)
    {
        var (code, output) = Openssl.Run("x509", "-in", certificatePath, "-noout", "-serial");
        Assert.True(code == 0, output);
        return Regex.Match(output, "serial=([0-9A-F]+)").Groups[1].Value;
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex PemBlock();
}
