using System.Diagnostics;
using System.Security.Cryptography;

namespace Kith.IntegrationTests.Support;

/// <summary>
/// One network namespace per agent (kith-RANDOM-0, -1, …), each with its own address 10.213.X.(i+1)/24 on a
/// veth whose other end is on a bridge in one more namespace (kith-RANDOM-br). Everything lives in namespaces
/// this class creates, so nothing of the host's network changes; Dispose deletes them all. Needs root and ip.
/// </summary>
internal sealed class NamespaceNetwork : IAgentNetwork
{
    private readonly string prefix;
    private readonly int subnet;
    private readonly List<string> created = [];

    private NamespaceNetwork(int agents)
    {
        Agents = agents;
        prefix = $"kith-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        subnet = RandomNumberGenerator.GetInt32(1, 255);
    }

    public int Agents { get; }

    public string Name => "network namespaces";

    public int Port => 8555;

    public string Address(int index) => $"10.213.{subnet}.{index + 1}";

    public IReadOnlyList<string>? Launcher(int index) => ["ip", "netns", "exec", Namespace(index)];

    /// <summary>The namespaces and the bridge, or null and why not (not root, no ip, namespaces not allowed here).</summary>
    public static NamespaceNetwork? TryCreate(int agents, out string whyNot)
    {
        if (Environment.UserName != "root")
        {
            whyNot = $"network namespaces need root; this test runs as {Environment.UserName}";
            return null;
        }

        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/bin/ip"))
        {
            whyNot = "the ip command (iproute2) is not installed";
            return null;
        }

        var network = new NamespaceNetwork(agents);
        try
        {
            network.Build();
            whyNot = string.Empty;
            return network;
        }
        catch (InvalidOperationException e)
        {
            network.Dispose();
            whyNot = $"network namespaces are not available here: {e.Message}";
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var name in Enumerable.Reverse(created))
        {
            Ip(throwOnError: false, "netns", "del", name);
        }

        created.Clear();
    }

    private string Namespace(int index) => $"{prefix}-{index}";

    private string Bridge => $"{prefix}-br";

    private void Build()
    {
        AddNamespace(Bridge);
        Ip(true, "-n", Bridge, "link", "add", "br0", "type", "bridge");
        Ip(true, "-n", Bridge, "link", "set", "br0", "up");
        for (var i = 0; i < Agents; i++)
        {
            var name = Namespace(i);
            AddNamespace(name);
            var port = $"port{i}";
            Ip(true, "-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", Bridge);
            Ip(true, "-n", Bridge, "link", "set", port, "master", "br0");
            Ip(true, "-n", Bridge, "link", "set", port, "up");
            Ip(true, "-n", name, "addr", "add", $"{Address(i)}/24", "dev", "eth0");
            Ip(true, "-n", name, "link", "set", "eth0", "up");
            Ip(true, "-n", name, "link", "set", "lo", "up");
        }
    }

    private void AddNamespace(string name)
    {
        Ip(true, "netns", "add", name);
        created.Add(name);
    }

    private static void Ip(bool throwOnError, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && throwOnError)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {output.Trim()}");
        }
    }
}
