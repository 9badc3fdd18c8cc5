using System.CommandLine;
using Kith.Cli.Output;
using Kith.Operator;
using Kith.Storage;

namespace Kith.Cli.Commands;

/// <summary><c>kith plan</c>: what apply would change, and nothing else.</summary>
internal static class PlanCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("plan", "Show what `kith apply` would sign, issue or renew (changes nothing)");
        command.Options.Add(ApplyCommand.OutputRoot);
        command.Options.Add(ApplyCommand.ShowAll);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var inventory = GlobalOptions.LoadInventory(parse);
            var state = GlobalOptions.StateFolder(parse);
            RootStore.LoadCertificate(state).Dispose();
            await using var store = await SqliteCertificateStore.OpenAsync(state.Database, cancellationToken);
            var plan = await Planner.CreateAsync(inventory, state, store, ApplyCommand.OutputRootOf(parse, state), DateTimeOffset.UtcNow, cancellationToken);
            PlanView.Write(output, plan, parse.GetValue(GlobalOptions.Json), parse.GetValue(ApplyCommand.ShowAll));
            return KithCli.Success;
        });
        return command;
    }
}
