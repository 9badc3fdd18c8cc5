namespace Kith.Fleet;

/// <summary>
/// How long the endpoint certificates an agent issues live, and at which fraction of their lifetime they are
/// renewed: the inventory's ca.leaf_validity and ca.renew_at as the fleet state carries them.
/// </summary>
public sealed record LeafPolicy(TimeSpan Validity, double RenewAt)
{
    /// <summary>The longest leaf_validity_seconds a state may carry (100 years): beyond any Host CA, and far from overflowing a TimeSpan.</summary>
    public const long MaxValiditySeconds = 100L * 366 * 24 * 3600;

    /// <summary>What a state written before the policy was carried means: 7 days, renewed at 2/3.</summary>
    public static readonly LeafPolicy Default = new(TimeSpan.FromDays(7), 2.0 / 3.0);

    /// <summary>The state's policy; a field it lacks (an older state) takes the default.</summary>
    public static LeafPolicy Of(FleetState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new LeafPolicy(
            state.LeafValiditySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : Default.Validity,
            state.RenewAt ?? Default.RenewAt);
    }

    /// <summary>Why the state's policy cannot be used, or null when it can (or is absent).</summary>
    public static string? Problem(FleetState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.LeafValiditySeconds is { } seconds && seconds is <= 0 or > MaxValiditySeconds)
        {
            return $"leaf_validity_seconds {seconds} is not between 1 and {MaxValiditySeconds}";
        }

        if (state.RenewAt is { } fraction && !(fraction > 0 && fraction < 1))
        {
            return $"renew_at {fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not strictly between 0 and 1";
        }

        return null;
    }
}
