using System.CommandLine;
using Kith.Cli.Output;
using Kith.Inventory;
using Kith.Operator;
using Kith.Storage;
using Spectre.Console;

namespace Kith.Cli.Commands;

/// <summary><c>kith apply</c>: sign Host CAs, issue and renew certificates, write their files.</summary>
internal static class ApplyCommand
{
    public static readonly Option<string?> OutputRoot = new("--out")
    {
        Description = "Where each machine's files are written, as OUT/<machine>/<path on the machine>. Default: <state>/out",
    };

    public static readonly Option<bool> ShowAll = new("--all")
    {
        Description = "Also list what stays unchanged",
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("apply", "Sign Host CAs and issue every endpoint's certificate as planned, and write their files");
        command.Options.Add(OutputRoot);
        command.Options.Add(ShowAll);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var state = GlobalOptions.StateFolder(parse);
            RootStore.LoadCertificate(state).Dispose();
            var outputRoot = OutputRootOf(parse, state);
            await using var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken);
            var plan = await Planner.CreateAsync(inventory, state, store, outputRoot, DateTimeOffset.UtcNow, cancellationToken);
            var json = parse.GetValue(GlobalOptions.Json);
            var passphrase = GlobalOptions.Passphrase(parse);
            if (plan.IsEmpty)
            {
                PlanView.Write(output, plan, json, parse.GetValue(ShowAll));
            }
            else
            {
                var applier = new Applier(inventory, state, store, passphrase, TimeProvider.System, outputRoot);
                var result = await RunWithProgressAsync(applier, plan, json, cancellationToken);
                foreach (var warning in result.Warnings.Distinct())
                {
                    await error.WriteLineAsync($"kith: warning: {warning}");
                }

                PlanView.Write(output, plan, json, parse.GetValue(ShowAll), result, outputRoot);
            }

            await PublishFleetStateAsync(inventory, state, rootIsOpen: plan.NeedsRoot, passphrase, json ? null : output, error);
            return KithCli.Success;
        });
        return command;
    }

    /// <summary>
    /// Writes the signed fleet-state.json after apply (docs/fleet-state.md). The publisher is renewed only
    /// when apply opened the Root anyway; otherwise a publisher near its end is a warning.
    /// </summary>
    private static async Task PublishFleetStateAsync(FleetInventory inventory, StateFolder state, bool rootIsOpen, Passphrase passphrase, TextWriter? output, TextWriter error)
    {
        var now = DateTimeOffset.UtcNow;
        var hasPublisher = File.Exists(state.PublisherKey) && File.Exists(state.PublisherCertificate);
        if (PublisherFiles.NeedsRenewal(state, now))
        {
            if (rootIsOpen)
            {
                using var root = RootStore.Open(state, passphrase);
                PublisherFiles.Create(state, root, inventory.Domain, now);
                hasPublisher = true;
            }
            else if (!hasPublisher)
            {
                await error.WriteLineAsync($"kith: warning: {DisplayPath.Of(state.FleetState)} not written: no fleet-state publisher key yet; run `kith init` to make one");
                return;
            }
            else
            {
                await error.WriteLineAsync($"kith: warning: the fleet-state publisher certificate {DisplayPath.Of(state.PublisherCertificate)} expires soon (or no longer chains to the Root); run `kith init` to renew it");
            }
        }

        await RenewRootCrlAsync(state, rootIsOpen, passphrase, now, output, error);
        await using (var store = await SqliteCertificateStore.OpenAsync(state.Database))
        {
            foreach (var path in await CrlFile.SignHostCaCrlsAsync(inventory, state, store, now))
            {
                if (output is not null)
                {
                    await output.WriteLineAsync($"host CA CRL {DisplayPath.Of(path)}: signed, valid until {now + CrlFile.Lifetime:yyyy-MM-dd}");
                }
            }
        }

        var written = await FleetStatePublication.WriteAsync(inventory, state, now);
        if (output is not null)
        {
            await output.WriteLineAsync($"fleet state {DisplayPath.Of(state.FleetState)}: version {written.Version}{(written.Changed ? ", written" : ", unchanged")}");
        }
    }

    /// <summary>
    /// Signs the Root CRL again when less than 30 of its 90 days are left (docs/revoke.md). That needs the Root: without
    /// a passphrase source it is a warning, and the current CRL stays in the state while it is valid.
    /// </summary>
    private static async Task RenewRootCrlAsync(StateFolder state, bool rootIsOpen, Passphrase passphrase, DateTimeOffset now, TextWriter? output, TextWriter error)
    {
        if (!CrlFile.NeedsSigning(state.RootCrl, now))
        {
            return;
        }

        var nextUpdate = CrlFile.NextUpdate(state.RootCrl);
        if (!rootIsOpen && !passphrase.HasSource)
        {
            var status = nextUpdate is { } next
                ? next > now ? $"expires {next:yyyy-MM-dd}; kept until then" : $"expired {next:yyyy-MM-dd}"
                : "is missing";
            await error.WriteLineAsync($"kith: warning: the Root CRL {DisplayPath.Of(state.RootCrl)} {status}; run `kith apply` with the Root passphrase (--passphrase-file or ${Passphrase.EnvironmentVariable}) to sign a new one");
            return;
        }

        using var root = RootStore.Open(state, passphrase);
        await using var store = await SqliteCertificateStore.OpenAsync(state.Database);
        await CrlFile.SignAsync(state.RootCrl, root, store, now);
        if (output is not null)
        {
            await output.WriteLineAsync($"root CRL {DisplayPath.Of(state.RootCrl)}: signed, valid until {now + CrlFile.Lifetime:yyyy-MM-dd}");
        }
    }

    public static string OutputRootOf(ParseResult parse, StateFolder state) =>
        Path.GetFullPath(parse.GetValue(OutputRoot) ?? state.OutputFolder);

    private static async Task<ApplyResult> RunWithProgressAsync(Applier applier, Plan plan, bool json, CancellationToken cancellationToken)
    {
        var leaves = plan.Changes.Count(i => !i.IsHostCa);
        if (json || leaves < 50 || Console.IsErrorRedirected)
        {
            return await applier.ApplyAsync(plan, null, cancellationToken);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        ApplyResult? result = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("issuing certificates", maxValue: leaves);
                var progress = new Progress<ApplyProgress>(p => task.Value = p.Done);
                result = await applier.ApplyAsync(plan, progress, cancellationToken);
                task.Value = leaves;
            });
        return result!;
    }
}
