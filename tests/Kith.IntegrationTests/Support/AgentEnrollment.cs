namespace Kith.IntegrationTests.Support;

/// <summary>
/// The steps that bring a machine's agent up in a test: enrolment (agent init, machine sign, agent install),
/// alpha's agent started with a files root, a publish to it, and waiting for what it does next.
/// </summary>
internal static class AgentEnrollment
{
    /// <summary>agent init, machine sign and (when <paramref name="install"/>) agent install; returns the agent folder.</summary>
    public static async Task<string> EnrollAsync(KithWorkspace kith, string machine, bool install = true)
    {
        var folder = kith.File($"agent-{machine}");
        await kith.SucceedAsync("agent", "init", "--machine", machine, "--dir", folder);
        var signed = kith.File($"{machine}-host-ca.pem");
        await kith.SucceedAsync("machine", "sign", machine, "--csr", Path.Combine(folder, "host-ca.csr"), "--out", signed);
        if (install)
        {
            await kith.SucceedAsync("agent", "install", "--dir", folder, "--cert", signed, "--root", kith.RootCertificate);
        }

        return folder;
    }

    /// <summary>init, alpha enrolled and installed, apply; returns alpha's agent folder.</summary>
    public static async Task<string> EnrollAlphaAndApplyAsync(KithWorkspace kith)
    {
        await kith.SucceedAsync("init");
        var agentFolder = await EnrollAsync(kith, "alpha");
        await kith.SucceedAsync("apply");
        return agentFolder;
    }

    /// <summary>An empty folder in the workspace for the agent's files_root (it stands for / on the machine).</summary>
    public static string MakeFilesRoot(KithWorkspace kith)
    {
        var filesRoot = kith.File("files");
        Directory.CreateDirectory(filesRoot);
        return filesRoot;
    }

    /// <summary>Starts alpha's agent with files_root set to <paramref name="filesRoot"/> and <paramref name="moreConfig"/> lines after it.</summary>
    public static Task<AgentProcess> StartAlphaAsync(KithWorkspace kith, string agentFolder, string filesRoot, string? moreConfig = null) =>
        AgentProcess.StartAsync(
            kith.File("agent.yaml"), "alpha", agentFolder, kith.RootCertificate, moreConfig is null ? $"files_root: {filesRoot}" : $"files_root: {filesRoot}\n{moreConfig}");

    /// <summary>kith publish --to the agent, which must succeed (the agent's log is in the failure message).</summary>
    public static async Task<CliResult> PublishAsync(KithWorkspace kith, AgentProcess agent)
    {
        var publish = await kith.KithAsync("publish", "--to", agent.BaseAddress.ToString());
        Assert.True(publish.ExitCode == 0, $"{publish}\n{agent.Log}");
        return publish;
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
