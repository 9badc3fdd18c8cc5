using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Kith.Agent;
using Kith.Cli.Output;
using Kith.Inventory;
using Kith.Operator;
using Kith.Pki;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith status</c>, on the operator: every machine of the inventory, its agent's /healthz (reachable,
/// state version, Host CA expiry, endpoints ok / expiring / failing). Exit 0 when every enrolled agent is
/// reachable and healthy, 1 otherwise (docs/cli.md, "kith status").
/// </summary>
internal static class StatusCommand
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);

    /// <summary>An agent that has not answered in this long is down, not slow.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The options are made per command: their validators must not pile up over runs in one process (tests).</summary>
    public static Command Create(TextWriter output)
    {
        var port = AgentAddressing.PortOption();
        var agent = AgentAddressing.AgentOption();
        var timeout = TimeoutOption();
        var command = new Command("status", "Ask every machine's agent how it is: reachable, state version, Host CA expiry, endpoints ok / expiring / failing");
        command.Options.Add(port);
        command.Options.Add(agent);
        command.Options.Add(timeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var state = GlobalOptions.StateFolder(parse);
            using var root = RootStore.LoadCertificate(state);
            var wait = Duration.Parse(parse.GetValue(timeout)!, out _)!.Value;
            var latest = FleetStatePublication.LatestVersion(state);
            var now = DateTimeOffset.UtcNow;
            var targets = await AgentAddressing.TargetsAsync(inventory, state, parse.GetValue(agent) ?? [], parse.GetValue(port), cancellationToken);

            var probes = (await AgentProbe.ProbeAsync(root, inventory.Domain, targets, wait, cancellationToken)).ToDictionary(p => p.Machine, StringComparer.Ordinal);
            var rows = inventory.Machines.Select(m => MachineStatus.Of(m.Name, probes.GetValueOrDefault(m.Name), latest, OperatorHostCaNotAfter(state, m.Name), now)).ToList();
            var report = new StatusReport(latest, rows);
            StatusView.Write(output, report, parse.GetValue(GlobalOptions.Json), now);
            return report.IsOk(now) ? KithCli.Success : KithCli.Failure;
        });
        return command;
    }

    private static Option<string> TimeoutOption()
    {
        var timeout = new Option<string>("--timeout")
        {
            Description = "How long to wait for each agent's answer (1s … 10m)",
            DefaultValueFactory = _ => "5s",
        };
        timeout.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0)
            {
                return;
            }

            var parsed = Duration.Parse(result.Tokens[0].Value, out var problem);
            if (parsed is null)
            {
                result.AddError($"--timeout: {problem}");
            }
            else if (parsed < MinTimeout || parsed > MaxTimeout)
            {
                result.AddError($"--timeout: {result.Tokens[0].Value} is outside 1s … 10m");
            }
        });
        return timeout;
    }

    /// <summary>The Host CA certificate's end as the operator signed it (hosts/&lt;machine&gt;/host-ca.pem), or null.</summary>
    private static DateTimeOffset? OperatorHostCaNotAfter(StateFolder state, string machine)
    {
        var path = state.HostCaCertificate(machine);
        if (!File.Exists(path))
        {
            return null;
        }

        var der = Pem.ReadCertificates(path);
        if (der.Count == 0)
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(der[0]);
        return new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
    }
}
