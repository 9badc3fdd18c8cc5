using System.CommandLine;
using System.Text;
using Kith.Cli.Output;
using Kith.Dns;
using Kith.Dns.Formats;
using Kith.Files;
using Kith.Fleet;
using Kith.Operator;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith dns zone</c>: the fleet's zones from the inventory, in BIND, hosts, dnsmasq or unbound form, with the
/// last published fleet state version as the SOA serial (docs/dns.md, "Zones").
/// </summary>
internal static class DnsZoneCommand
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format")
        {
            Description = "bind (an RFC 1035 zone file), hosts, dnsmasq or unbound",
            DefaultValueFactory = _ => "bind",
        };
        format.AcceptOnlyFromAmong("bind", "hosts", "dnsmasq", "unbound");
        var zoneOption = new Option<string?>("--zone") { Description = "Only this zone (its apex, e.g. home.arpa). Default: every zone" };
        var outOption = new Option<string?>("--out", "-o")
        {
            Description = "Write to this file (atomically) instead of stdout; with bind and an existing folder, one <apex>.zone per zone",
        };
        var command = new Command("zone", "Print the fleet's DNS zones from the inventory (SOA serial: the last published fleet state version)");
        command.Options.Add(format);
        command.Options.Add(zoneOption);
        command.Options.Add(outOption);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var serial = FleetStatePublication.LatestVersion(GlobalOptions.StateFolder(parse));
            var state = FleetStateBuilder.Build(inventory, _ => null, trustBundle: string.Empty, serial ?? 1, DateTimeOffset.UtcNow);
            var zones = Select(FleetZones.Build(state), parse.GetValue(zoneOption));
            var chosen = Enum.Parse<ZoneFormat>(parse.GetValue(format)!, ignoreCase: true);
            Write(chosen, zones, parse.GetValue(outOption), output);

            // Notes come after the output so a failure above stays the one line the user sees.
            if (serial is null)
            {
                await error.WriteLineAsync("kith: note: no fleet state published yet (kith apply writes one); the SOA serial is 1");
            }

            if (!state.Machines.Any(m => m.Roles.Contains(FleetZones.DnsRole, StringComparer.Ordinal)))
            {
                await error.WriteLineAsync($"kith: warning: no machine has role {FleetZones.DnsRole}; the zones name {zones[0].Records.First(r => r.Type == "NS").Value} as their name server");
            }

            return KithCli.Success;
        });
        return command;
    }

    private static List<FleetZone> Select(IReadOnlyList<FleetZone> zones, string? apex)
    {
        if (apex is null)
        {
            return [.. zones];
        }

        var wanted = apex.TrimEnd('.').ToLowerInvariant();
        var zone = zones.FirstOrDefault(z => z.Apex == wanted)
            ?? throw new KithException($"--zone {apex}: not one of the fleet's zones ({string.Join(", ", zones.Select(z => z.Apex))}); add it under zones: in kith.yaml or pick one of these");
        return [zone];
    }

    private static void Write(ZoneFormat format, List<FleetZone> zones, string? path, TextWriter output)
    {
        if (format == ZoneFormat.Bind && path is not null && Directory.Exists(path))
        {
            // Render every zone before writing any, so a failure leaves no half-written set.
            var files = zones.Select(z => (Path: Path.Combine(path, z.Apex + ".zone"), Text: BindZoneFile.Render(z))).ToList();
            foreach (var (file, text) in files)
            {
                AtomicFile.Write(file, Utf8.GetBytes(text), AtomicFile.PublicMode);
                output.WriteLine($"wrote {DisplayPath.Of(file)}");
            }

            return;
        }

        if (format == ZoneFormat.Bind && zones.Count > 1)
        {
            throw new KithException($"the fleet has {zones.Count} zones ({string.Join(", ", zones.Select(z => z.Apex))}) and a BIND zone file holds one; pick one with --zone APEX, or give an existing folder with -o DIR to write <apex>.zone for each");
        }

        if (path is not null && Directory.Exists(path))
        {
            throw new KithException($"{path}: is a folder; give a file name with -o (a folder is only for --format bind)");
        }

        var rendered = ZoneFormats.Render(format, zones);
        if (path is null)
        {
            output.Write(rendered);
            return;
        }

        AtomicFile.Write(path, Utf8.GetBytes(rendered), AtomicFile.PublicMode);
        output.WriteLine($"wrote {DisplayPath.Of(path)}");
    }
}
