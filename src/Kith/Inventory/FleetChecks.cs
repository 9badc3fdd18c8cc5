namespace Kith.Inventory;

/// <summary>
/// The checks that need the whole fleet at once: each certificate name belongs to one service, no
/// service takes a machine's own name, and, when Host CAs are constrained to their endpoints, no
/// machine's permitted names contain another machine's names.
/// </summary>
internal static class FleetChecks
{
    public static void Run(NodeReader reader, string domain, IReadOnlyDictionary<string, Located> machines, IReadOnlyList<ServiceName> names, NameConstraintMode mode)
    {
        foreach (var machine in machines.Values)
        {
            if (!DnsName.TryNormalize($"{machine.Value}.{domain}", out _, out var error))
            {
                reader.Error(machine.Node, machine.Field, $"the machine's name {machine.Value}.{domain} is not a valid DNS name: {error}");
            }
        }

        var unique = Duplicates(reader, domain, machines, names);
        if (mode == NameConstraintMode.Endpoints)
        {
            Overlaps(reader, domain, machines, unique);
        }
    }

    private static List<ServiceName> Duplicates(NodeReader reader, string domain, IReadOnlyDictionary<string, Located> machines, IReadOnlyList<ServiceName> names)
    {
        var first = new Dictionary<string, ServiceName>(StringComparer.Ordinal);
        var unique = new List<ServiceName>();
        foreach (var name in names)
        {
            if (first.TryGetValue(name.Name, out var other))
            {
                reader.Error(name.Node, name.Field, $"'{name.Name}' is also declared by service '{other.Service}' at {reader.Where(other.Node)}; a name belongs to one service");
                continue;
            }

            first.Add(name.Name, name);
            var owner = name.Name.EndsWith("." + domain, StringComparison.Ordinal) ? name.Name[..^(domain.Length + 1)] : null;
            if (owner is not null && machines.TryGetValue(owner, out var machine))
            {
                reader.Error(name.Node, name.Field, $"'{name.Name}' is the name of machine '{machine.Value}' (declared at {reader.Where(machine.Node)}); choose another name for the service");
                continue;
            }

            unique.Add(name);
        }

        return unique;
    }

    // With name_constraints: endpoints each Host CA may issue for its names and everything below them
    // (a dNSName subtree, RFC 5280 §4.2.1.10). A name of machine B below a name of machine A would
    // therefore be issuable by A's Host CA too: refuse it rather than widen what a stolen key can do.
    private static void Overlaps(NodeReader reader, string domain, IReadOnlyDictionary<string, Located> machines, IReadOnlyList<ServiceName> names)
    {
        var subtrees = new Dictionary<string, (string Machine, string Where)>(StringComparer.Ordinal);
        foreach (var machine in machines.Values)
        {
            subtrees.TryAdd($"{machine.Value}.{domain}", (machine.Value, "the machine's own name"));
        }

        foreach (var name in names)
        {
            var root = name.Name.StartsWith("*.", StringComparison.Ordinal) ? name.Name[2..] : name.Name;
            subtrees.TryAdd(root, (name.Machine, $"service '{name.Service}' at {reader.Where(name.Node)}"));
        }

        foreach (var name in names)
        {
            var candidate = name.Name.StartsWith("*.", StringComparison.Ordinal) ? name.Name[2..] : name.Name;
            while (true)
            {
                if (subtrees.TryGetValue(candidate, out var holder) && holder.Machine != name.Machine)
                {
                    reader.Error(name.Node, name.Field, $"'{name.Name}' (machine '{name.Machine}') lies within '{candidate}' of machine '{holder.Machine}' ({holder.Where}); with name_constraints: endpoints that machine could issue it too; rename one, or set ca.name_constraints: domain");
                    break;
                }

                var dot = candidate.IndexOf('.', StringComparison.Ordinal);
                if (dot < 0)
                {
                    break;
                }

                candidate = candidate[(dot + 1)..];
            }
        }
    }
}
