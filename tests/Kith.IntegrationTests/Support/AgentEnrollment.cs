namespace Kith.IntegrationTests.Support;

/// <summary>The operator and machine steps that give machine alpha an installed Host CA, then apply.</summary>
internal static class AgentEnrollment
{
    /// <summary>agent init, machine sign, agent install, apply; returns the agent folder.</summary>
    public static async Task<string> EnrollAlphaAndApplyAsync(KithWorkspace kith)
    {
        await kith.SucceedAsync("init");
        var agentFolder = kith.File("agent-alpha");
        await kith.SucceedAsync("agent", "init", "--machine", "alpha", "--dir", agentFolder);
        var signed = kith.File("alpha-host-ca.pem");
        await kith.SucceedAsync("machine", "sign", "alpha", "--csr", Path.Combine(agentFolder, "host-ca.csr"), "--out", signed);
        await kith.SucceedAsync("agent", "install", "--dir", agentFolder, "--cert", signed, "--root", kith.RootCertificate);
        await kith.SucceedAsync("apply");
        return agentFolder;
    }

    /// <summary>Polls until <paramref name="done"/> holds, failing with the agent's log after <paramref name="seconds"/>.</summary>
    public static async Task WaitAsync(Func<bool> done, AgentProcess agent, int seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {seconds} s\n{agent.Log}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
