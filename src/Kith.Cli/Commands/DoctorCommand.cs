using System.CommandLine;
using System.Globalization;
using System.Net;
using Kith.Cli.Output;
using Kith.Dns;
using Kith.Doctor;
using Kith.Inventory;
using Kith.Operator;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith doctor [ENDPOINT…]</c>, on the operator: per endpoint fleet DNS, system resolver, TCP, TLS with SNI,
/// chain to the Root, name, expiry, OCSP and ALPN, and for each failure its cause in plain words. Exit 1 when
/// any check fails, 0 otherwise, 2 usage (docs/doctor.md).
/// </summary>
internal static class DoctorCommand
{
    private const int DnsPort = 53;
    private static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The options are made per command: their validators must not pile up over runs in one process (tests).</summary>
    public static Command Create(TextWriter output)
    {
        var endpoints = new Argument<string[]>("ENDPOINT")
        {
            Description = "The names to check (default: every endpoint and alias of the inventory's server services); a name the inventory lacks is checked too",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var dnsServer = DnsServerOption();
        var connect = ConnectOption();
        var port = PortOption();
        var timeout = TimeoutOption();
        var agent = AgentAddressing.AgentOption();
        var agentPort = new Option<int>("--agent-port")
        {
            Description = "The agents' HTTPS port, to ask the issuing agent whether it issued a certificate",
            DefaultValueFactory = _ => AgentAddressing.DefaultPort,
        };
        agentPort.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                result.AddError("--agent-port: must be 1 … 65535");
            }
        });

        var command = new Command("doctor", "Check each endpoint from here (DNS, TCP, TLS, chain to the Root, name, expiry, OCSP, ALPN) and say why one fails");
        command.Arguments.Add(endpoints);
        foreach (var option in new Option[] { dnsServer, connect, port, timeout, agent, agentPort })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var state = GlobalOptions.StateFolder(parse);
            using var root = RootStore.LoadCertificate(state);
            var wait = ParseTimeout(parse.GetValue(timeout)!, out _)!.Value;
            var targets = DoctorTargets.Of(inventory, parse.GetValue(endpoints) ?? []);
            if (targets.Count == 0)
            {
                throw new KithException($"{inventory.SourcePath}: no service serves an endpoint; name one to check: kith doctor NAME");
            }

            var dnsMachines = inventory.Machines.Where(m => m.Roles.Contains(FleetZones.DnsRole, StringComparer.Ordinal)).ToList();
            var dnsServers = parse.GetValue(dnsServer) is { Length: > 0 } given
                ? [.. given.Select(g => ParseDnsServer(g, out _)!)]
                : dnsMachines.SelectMany(m => m.Addresses).Select(a => new IPEndPoint(a, DnsPort)).ToList();
            var context = new DoctorContext(inventory.SourcePath, inventory.AllZones, [.. dnsMachines.Select(m => m.Name)], inventory.Ca.RenewalFraction, wait, DateTimeOffset.UtcNow);
            var settings = new DoctorSettings(
                dnsServers,
                parse.GetValue(connect) is { } address ? IPAddress.Parse(address) : null,
                parse.GetValue(port) ?? inventory.Proxy.HttpsPort,
                root,
                context);
            var agents = new IssuingAgents(inventory, state, root, parse.GetValue(agent) ?? [], parse.GetValue(agentPort), wait);
            var doctor = new EndpointDoctor(settings, agents.AskAsync, names => DoctorTargets.OwnerOf(inventory, names));
            var reports = new List<EndpointReport>();
            foreach (var target in targets)
            {
                reports.Add(await doctor.CheckAsync(target, cancellationToken));
            }

            DoctorView.Write(output, reports, parse.GetValue(GlobalOptions.Json));
            return reports.Any(r => r.Failed) ? KithCli.Failure : KithCli.Success;
        });
        return command;
    }

    private static Option<string[]> DnsServerOption()
    {
        var option = new Option<string[]>("--dns-server")
        {
            Description = "Ask this DNS server as the fleet DNS: ADDR or ADDR:PORT ([v6]:PORT), repeatable. Default: the addresses of the machines with role dns, port 53",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (ParseDnsServer(token.Value, out var problem) is null)
                {
                    result.AddError($"--dns-server '{token.Value}': {problem}");
                }
            }
        });
        return option;
    }

    private static Option<string?> ConnectOption()
    {
        var option = new Option<string?>("--connect") { Description = "Connect to this IP address instead of the address DNS gives (SNI is still the endpoint's name)" };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !IPAddress.TryParse(result.Tokens[0].Value, out _))
            {
                result.AddError($"--connect '{result.Tokens[0].Value}': give an IP address, e.g. 100.64.0.10");
            }
        });
        return option;
    }

    private static Option<int?> PortOption()
    {
        var option = new Option<int?>("--port") { Description = "The HTTPS port to check. Default: the inventory's proxy.https_port (443)" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 or > 65535)
            {
                result.AddError("--port: must be 1 … 65535");
            }
        });
        return option;
    }

    private static Option<string> TimeoutOption()
    {
        var option = new Option<string>("--timeout")
        {
            Description = "How long each step may take: SECONDS or a duration such as 5s (1s … 10m)",
            DefaultValueFactory = _ => "5",
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && ParseTimeout(result.Tokens[0].Value, out var problem) is null)
            {
                result.AddError($"--timeout: {problem}");
            }
        });
        return option;
    }

    private static TimeSpan? ParseTimeout(string text, out string problem)
    {
        problem = string.Empty;
        var parsed = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : Duration.Parse(text, out problem);
        if (parsed is null)
        {
            return null;
        }

        if (parsed < MinTimeout || parsed > MaxTimeout)
        {
            problem = $"{text} is outside 1s … 10m";
            return null;
        }

        return parsed;
    }

    /// <summary>ADDR, ADDR:PORT or [V6]:PORT; a name is refused (the point is to ask a known server).</summary>
    private static IPEndPoint? ParseDnsServer(string text, out string problem)
    {
        problem = string.Empty;
        if (IPAddress.TryParse(text, out var bare))
        {
            return new IPEndPoint(bare, DnsPort);
        }

        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0)
        {
            return endpoint;
        }

        problem = "give ADDR or ADDR:PORT with an IP address, e.g. 100.64.0.53 or 127.0.0.1:5353 or [fd00::53]:53";
        return null;
    }
}
