namespace Kith.Operator;

/// <summary>What apply will do to one Host CA or one service certificate.</summary>
public enum PlanAction
{
    /// <summary>Up to date: nothing to do.</summary>
    Keep,

    /// <summary>No certificate yet.</summary>
    Create,

    /// <summary>The names changed: a new certificate with the new names (same key for a Host CA).</summary>
    Update,

    /// <summary>Past its renewal time, or its files are missing.</summary>
    Renew,

    /// <summary>
    /// A certificate of an agent-managed machine: its agent issues it from the Host CA key on the
    /// machine; apply neither issues it nor writes its files.
    /// </summary>
    Agent,
}

/// <summary>One line of a plan. <see cref="Service"/> is null for a machine's Host CA.</summary>
public sealed record PlanItem(
    string Machine,
    string? Service,
    PlanAction Action,
    string Reason,
    IReadOnlyList<string> Names,
    DateTimeOffset? CurrentNotAfter)
{
    public bool IsHostCa => Service is null;
}

/// <summary>Everything apply would change, Host CAs first. Nothing outside it is touched.</summary>
public sealed record Plan(IReadOnlyList<PlanItem> Items)
{
    public IEnumerable<PlanItem> Changes => Items.Where(i => i.Action is not (PlanAction.Keep or PlanAction.Agent));

    /// <summary>Certificates left to the agents of agent-managed machines.</summary>
    public IEnumerable<PlanItem> ByAgents => Items.Where(i => i.Action == PlanAction.Agent);

    public bool NeedsRoot => Changes.Any(i => i.IsHostCa);

    public bool IsEmpty => !Changes.Any();
}
