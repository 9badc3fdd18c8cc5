using Kith.Inventory;
using Kith.Storage;

namespace Kith.Operator;

/// <summary>Compares the inventory with the issuance log and the files on disk: what apply would change.</summary>
public static class Planner
{
    public static async Task<Plan> CreateAsync(FleetInventory inventory, StateFolder state, ICertificateStore store, string outputRoot, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(store);
        var items = new List<PlanItem>();
        var fraction = inventory.Ca.RenewalFraction;

        // One read of the log instead of a query per certificate: a fleet has thousands.
        var latest = new LatestCertificates(await store.ListAsync(new CertificateQuery(IncludeRevoked: false), cancellationToken));
        var revokedHostCas = (await store.ListAsync(new CertificateQuery(Kind: CertificateKind.HostCa), cancellationToken))
            .Where(r => r.IsRevoked && r.Machine is not null).Select(r => r.Machine!).ToHashSet(StringComparer.Ordinal);

        foreach (var machine in inventory.Machines)
        {
            var names = FleetPolicy.ConstraintNames(FleetPolicy.ConstraintsFor(inventory, machine));
            var hostCa = latest.Find(machine.Name, null, CertificateKind.HostCa);
            var agentManaged = state.IsAgentManaged(machine.Name);
            var hostFilesPresent = File.Exists(state.HostCaCertificate(machine.Name)) && (agentManaged || File.Exists(state.HostCaKey(machine.Name)));
            var hostItem = Decide(machine.Name, null, names, hostCa, hostFilesPresent, now, fraction, "Host CA");
            if (hostCa is null && revokedHostCas.Contains(machine.Name))
            {
                hostItem = hostItem with { Reason = agentManaged ? "its Host CA was revoked: re-enroll the machine with a new key" : "its Host CA was revoked: a new key" };
            }

            items.Add(hostItem);
            var newHostKey = hostItem.Action == PlanAction.Create && !agentManaged;
            foreach (var service in inventory.ServicesOn(machine))
            {
                if (agentManaged)
                {
                    // The key is on the machine: its agent issues these; apply only re-signs the Host CA.
                    var issued = latest.Find(machine.Name, service.Name, FleetPolicy.KindOf(service.Kind));
                    items.Add(new PlanItem(machine.Name, service.Name, PlanAction.Agent, "issued by the machine's agent", inventory.CertificateNames(service), issued?.NotAfter));
                    continue;
                }

                var leafNames = inventory.CertificateNames(service);
                var current = latest.Find(machine.Name, service.Name, FleetPolicy.KindOf(service.Kind));
                var folder = OutputPath(outputRoot, machine.Name, FleetPolicy.FolderOf(inventory, service));
                var item = Decide(machine.Name, service.Name, leafNames, current, Directory.Exists(folder), now, fraction, "certificate");
                if (newHostKey && item.Action == PlanAction.Keep)
                {
                    item = item with { Action = PlanAction.Renew, Reason = "its Host CA gets a new key" };
                }

                items.Add(item);
            }
        }

        return new Plan(items);
    }

    /// <summary>Where a path on a machine lands in the operator's output tree.</summary>
    public static string OutputPath(string outputRoot, string machine, string pathOnMachine) =>
        Path.Combine(outputRoot, machine, pathOnMachine.TrimStart('/'));

    private static PlanItem Decide(string machine, string? service, IReadOnlyList<string> names, CertificateRecord? current, bool filesPresent, DateTimeOffset now, double fraction, string what)
    {
        if (current is null)
        {
            return new PlanItem(machine, service, PlanAction.Create, $"no {what} yet", names, null);
        }

        if (!current.Names.SequenceEqual(names))
        {
            var added = names.Except(current.Names).Select(n => "+" + n);
            var removed = current.Names.Except(names).Select(n => "-" + n);
            var change = string.Join(" ", added.Concat(removed));
            return new PlanItem(machine, service, PlanAction.Update, $"names changed: {(change.Length > 0 ? change : "order")}", names, current.NotAfter);
        }

        if (!filesPresent)
        {
            return new PlanItem(machine, service, PlanAction.Renew, "files missing", names, current.NotAfter);
        }

        var renewal = FleetPolicy.RenewalTime(current.NotBefore, current.NotAfter, fraction);
        if (now >= renewal)
        {
            return new PlanItem(machine, service, PlanAction.Renew, now >= current.NotAfter ? "expired" : $"renewal due since {renewal:u}", names, current.NotAfter);
        }

        return new PlanItem(machine, service, PlanAction.Keep, $"valid, renews after {renewal:u}", names, current.NotAfter);
    }
}
