using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Dns;

/// <summary>A new fleet state changes what the agent's DNS server answers, without a restart.</summary>
public class ServerZoneReloadTests
{
    [Fact]
    public async Task ANewFleetStateBringsANewSerialAndANewName()
    {
        var fleet = new ServerAgentFleet();
        await using (fleet)
        {
            await fleet.InitializeAsync();
            var pid = fleet.Agent.Pid;
            var serialBefore = Serial(await fleet.AskAsync("kdig", "home.arpa", "SOA"));
            Assert.Contains("status: NXDOMAIN", await fleet.AskAsync("kdig", "printer.home.arpa", "A"), StringComparison.Ordinal);

            File.WriteAllText(fleet.Kith.Inventory, ServerAgentFleet.Inventory("    - { name: printer.home.arpa, type: A, value: 192.168.1.50 }\n"));
            await fleet.Kith.SucceedAsync("apply");
            await AgentEnrollment.PublishAsync(fleet.Kith, fleet.Agent);

            var printer = await fleet.AskAsync("kdig", "printer.home.arpa", "A");
            Assert.Matches(@"printer\.home\.arpa\.\s+300\s+IN\s+A\s+192\.168\.1\.50", printer);
            Assert.True(Serial(await fleet.AskAsync("kdig", "home.arpa", "SOA")) > serialBefore);
            Assert.Equal(pid, fleet.Agent.Pid);
            Assert.Matches(@"dns: zones loaded: serial \d+, 1 zones, \d+ records, \d+ names, built in [\d.]+ ms", fleet.Agent.Log);
        }
    }

    private static long Serial(string kdig)
    {
        var match = Regex.Match(kdig, @"IN\s+SOA\s+\S+\s+\S+\s+(\d+)\s");
        Assert.True(match.Success, kdig);
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
