using System.Text;
using BenchmarkDotNet.Attributes;
using Kith.Dns;
using Kith.Dns.Formats;
using Kith.Fleet;
using Kith.Inventory;

namespace Kith.Bench;

/// <summary>
/// Building the fleet's zones from a fleet state of 1,000 machines × 10 endpoints (10,000 CNAMEs, 1,000 A
/// records, the fleet bench/generate-fleet.sh writes by default, one machine with role dns): what the operator
/// pays in <c>kith dns zone</c> and a dns agent on every new state before it answers from the new zone.
/// </summary>
[MemoryDiagnoser]
public class ZoneBuildBenchmarks
{
    private FleetState state = null!;
    private FleetZone zone = null!;

    [Params(10_000)]
    public int Endpoints { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var inventory = InventoryLoader.Parse(Inventory(Endpoints / 10, 10), "fleet.yaml");
        state = FleetStateBuilder.Build(inventory, _ => null, string.Empty, 42, DateTimeOffset.UtcNow);
        zone = FleetZones.Build(state)[0];
    }

    [Benchmark]
    public int BuildZones() => FleetZones.Build(state)[0].Records.Count;

    [Benchmark]
    public int RenderBind() => BindZoneFile.Render(zone).Length;

    [Benchmark]
    public int BuildAndRenderBind() => BindZoneFile.Render(FleetZones.Build(state)[0]).Length;

    /// <summary>The inventory bench/generate-fleet.sh writes, with machine m0 serving DNS.</summary>
    public static string Inventory(int machines, int endpointsEach)
    {
        var text = new StringBuilder("domain: fleet.internal\nmachines:\n");
        for (var m = 0; m < machines; m++)
        {
            text.Append(FormattableString.Invariant($"  m{m}: {{ addresses: [10.{m / 250}.{m % 250}.1]{(m == 0 ? ", roles: [dns]" : string.Empty)} }}\n"));
        }

        text.Append("services:\n");
        for (var m = 0; m < machines; m++)
        {
            for (var e = 0; e < endpointsEach; e++)
            {
                text.Append(FormattableString.Invariant($"  s{m}-{e}: {{ machine: m{m}, endpoints: [s{m}-{e}.fleet.internal] }}\n"));
            }
        }

        return text.ToString();
    }
}
