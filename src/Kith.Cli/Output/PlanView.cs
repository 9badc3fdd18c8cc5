using Kith.Operator;

namespace Kith.Cli.Output;

/// <summary>Shows a plan (or what apply did) as a table or JSON.</summary>
internal static class PlanView
{
    public static void Write(TextWriter output, Plan plan, bool json, bool showAll, ApplyResult? result = null, string? outputRoot = null)
    {
        if (json)
        {
            var items = plan.Items.Select(i => new PlanItemJson(i.Machine, i.Service, i.IsHostCa ? "host-ca" : "certificate", ActionWord(i.Action), i.Reason, i.Names, i.CurrentNotAfter)).ToList();
            JsonOutput.Write(output, new PlanJson(items, plan.Changes.Count(), result is not null, result?.HostCasSigned, result?.CertificatesIssued, outputRoot), KithJsonContext.Default.PlanJson);
            return;
        }

        var rows = showAll ? plan.Items : plan.Changes.ToList();
        if (rows.Count > 0)
        {
            var table = new TextTable("MACHINE", "SERVICE", "CERTIFICATE", result is null ? "ACTION" : "DONE", "NAMES", "REASON");
            foreach (var item in rows)
            {
                table.Add(item.Machine, item.Service ?? "-", item.IsHostCa ? "host CA" : "leaf", ActionWord(item.Action, result is not null), Names(item.Names), item.Reason);
            }

            table.WriteTo(output);
        }

        var hostCas = plan.Changes.Count(i => i.IsHostCa);
        var leaves = plan.Changes.Count(i => !i.IsHostCa);
        var byAgents = plan.ByAgents.Count();
        var unchanged = plan.Items.Count - hostCas - leaves - byAgents;
        var agentNote = byAgents > 0 ? $"; {byAgents} left to machine agents" : string.Empty;
        if (result is not null)
        {
            output.WriteLine($"signed {result.HostCasSigned} Host CA(s), issued {result.CertificatesIssued} certificate(s); {unchanged} unchanged{agentNote}; files under {DisplayPath.Of(outputRoot ?? ".")}");
        }
        else if (plan.IsEmpty)
        {
            output.WriteLine($"nothing to do: {unchanged} certificate(s) and Host CA(s) are up to date{agentNote}");
        }
        else
        {
            output.WriteLine($"plan: {hostCas} Host CA(s) to sign{(plan.NeedsRoot ? " (needs the Root passphrase)" : string.Empty)}, {leaves} certificate(s) to issue; {unchanged} unchanged{agentNote}");
        }
    }

    private static string Names(IReadOnlyList<string> names) =>
        names.Count <= 3 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(3))} (+{names.Count - 3})";

    private static string ActionWord(PlanAction action, bool done) => (action, done) switch
    {
        (PlanAction.Keep, _) => "keep",
        (PlanAction.Agent, _) => "agent",
        (PlanAction.Create, false) => "create",
        (PlanAction.Create, true) => "created",
        (PlanAction.Update, false) => "update",
        (PlanAction.Update, true) => "updated",
        (PlanAction.Renew, false) => "renew",
        _ => "renewed",
    };

    private static string ActionWord(PlanAction action) => action.ToString().ToLowerInvariant();
}
