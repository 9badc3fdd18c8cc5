using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Kith.Agent;
using Kith.Cli.Output;
using Kith.Files;
using Kith.Fleet;
using Kith.Pki;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith publish [--to URL…]</c>: push the signed fleet state apply wrote to agents, over HTTPS verified
/// against the operator's Root: to the given URLs, or without <c>--to</c> to every enrolled machine's agent
/// (the machines <c>kith status</c> asks). Every target gets an answer in the table; exit 1 when any failed.
/// </summary>
internal static class PublishCommand
{
    /// <summary>The options are made per command: their validators must not pile up over runs in one process (tests).</summary>
    public static Command Create(TextWriter output)
    {
        var to = new Option<string[]>("--to")
        {
            Description = "An agent to publish to: https://HOST:PORT[/state] (repeatable); without it, every enrolled machine's agent",
            AllowMultipleArgumentsPerToken = false,
        };
        var port = AgentAddressing.PortOption();
        var agent = AgentAddressing.AgentOption();
        var command = new Command("publish", "Push the signed fleet state (<state>/fleet-state.json) to agents: the --to URLs, else every enrolled machine's");
        command.Options.Add(to);
        command.Options.Add(port);
        command.Options.Add(agent);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var urls = parse.GetValue(to) ?? [];
            var overrides = parse.GetValue(agent) ?? [];
            if (urls.Length > 0 && (overrides.Length > 0 || parse.GetResult(port) is { Implicit: false }))
            {
                throw new KithException("--to names the agents itself; --agent and --port choose how to reach the enrolled machines when there is no --to: give one or the other");
            }

            var targets = new List<Uri>();
            foreach (var text in urls)
            {
                targets.Add(StatePublisher.TargetOf(text)
                    ?? throw new KithException($"--to '{text}': not an https:// URL (agents serve only HTTPS)"));
            }

            var state = GlobalOptions.StateFolder(parse);
            if (!File.Exists(state.FleetState))
            {
                throw new KithException($"{state.FleetState}: no fleet state to publish; run `kith apply` first");
            }

            if (!File.Exists(state.RootCertificate))
            {
                throw new KithException($"{state.RootCertificate}: no Root certificate; run `kith init` first");
            }

            Dictionary<string, IReadOnlyList<System.Net.IPAddress>>? addresses = null;
            if (urls.Length == 0)
            {
                var inventory = GlobalOptions.LoadInventory(parse);
                var machines = await AgentAddressing.TargetsAsync(inventory, state, overrides, parse.GetValue(port), cancellationToken);
                if (machines.Count == 0)
                {
                    throw new KithException($"no machine of {inventory.SourcePath} has an enrolled agent, so there is no one to publish to: enroll one (`kith agent init` on it, then `kith machine sign NAME --csr FILE`), or give the agents with --to https://HOST:PORT");
                }

                addresses = ProbeTarget.AddressMap(machines, inventory.Domain);
                targets.AddRange(machines.Select(m => FleetHttpClient.AgentUri(m.Machine, inventory.Domain, m.Port, "/state")));
            }

            var envelope = InputFile.ReadBytes(state.FleetState, SignedFleetState.MaxBytes);
            using var root = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(state.RootCertificate)[0]);
            using var publisher = new StatePublisher(root, addresses: addresses);
            var results = await publisher.PublishAsync(envelope, targets, cancellationToken);
            var failed = results.Count(r => !r.Succeeded);
            if (parse.GetValue(GlobalOptions.Json))
            {
                JsonOutput.Write(
                    output,
                    results.Select(r => new PublishTargetJson(r.Target.ToString(), OutcomeWord(r.Outcome), r.Version, r.Reason, r.Detail)).ToList(),
                    KithJsonContext.Default.ListPublishTargetJson);
                return failed == 0 ? KithCli.Success : KithCli.Failure;
            }

            var table = new TextTable("TARGET", "RESULT", "DETAIL");
            foreach (var result in results)
            {
                table.Add(
                    result.Target.ToString(),
                    result.Outcome == PublishOutcome.Refused ? $"refused ({result.Reason})" : OutcomeWord(result.Outcome),
                    result.Detail);
            }

            table.WriteTo(output);
            await output.WriteLineAsync(failed == 0
                ? $"published to {results.Count} agent{(results.Count == 1 ? string.Empty : "s")}"
                : $"{failed} of {results.Count} agent{(results.Count == 1 ? string.Empty : "s")} did not accept the state");
            return failed == 0 ? KithCli.Success : KithCli.Failure;
        });
        return command;
    }

    private static string OutcomeWord(PublishOutcome outcome) => outcome switch
    {
        PublishOutcome.Accepted => "accepted",
        PublishOutcome.Refused => "refused",
        PublishOutcome.Untrusted => "untrusted",
        _ => "unreachable",
    };
}
