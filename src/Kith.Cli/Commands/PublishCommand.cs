using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Kith.Agent;
using Kith.Cli.Output;
using Kith.Files;
using Kith.Fleet;
using Kith.Pki;

namespace Kith.Cli.Commands;

/// <summary>
/// <c>kith publish --to URL…</c>: push the signed fleet state apply wrote to agents, over HTTPS verified
/// against the operator's Root. Every target gets an answer in the table; exit 1 when any failed.
/// </summary>
internal static class PublishCommand
{
    private static readonly Option<string[]> To = new("--to")
    {
        Description = "An agent to publish to: https://HOST:PORT[/state] (repeatable)",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create(TextWriter output)
    {
        var command = new Command("publish", "Push the signed fleet state (<state>/fleet-state.json) to agents");
        command.Options.Add(To);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var targets = new List<Uri>();
            foreach (var text in parse.GetValue(To)!)
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

            var envelope = InputFile.ReadBytes(state.FleetState, SignedFleetState.MaxBytes);
            using var root = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(state.RootCertificate)[0]);
            using var publisher = new StatePublisher(root);
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
