namespace Kith.IntegrationTests.Support;

/// <summary>Where a multi-agent test puts its agents: one IPv4 address per agent, one port for all.</summary>
internal interface IAgentNetwork : IDisposable
{
    /// <summary>For the test output: "loopback", "network namespaces".</summary>
    string Name { get; }

    int Port { get; }

    /// <summary>The address of agent <paramref name="index"/> (0, 1, 2).</summary>
    string Address(int index);

    /// <summary>The command agent <paramref name="index"/> runs under, or null for the test's own network.</summary>
    IReadOnlyList<string>? Launcher(int index);
}
