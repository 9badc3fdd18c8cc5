using Kith.Reconcile;

namespace Kith.Agent;

/// <summary>
/// When to try a reconcile pass again after it failed as a whole (the Host CA key unreadable, a bug): the
/// <see cref="RetrySchedule"/> rule with 5 s doubling up to 5 minutes, shortened by a random 0–20 % so that
/// agents that failed together (a bad state reached them all) do not retry together. A success resets it.
/// </summary>
internal sealed class PassBackoff(TimeProvider time, Random? random = null)
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    private const string Key = "pass";

    private readonly TimeProvider time = time;
    private readonly RetrySchedule schedule = new(time, Initial, Max, random);

    /// <summary>Failed passes in a row so far.</summary>
    public int Failures => schedule.Failures(Key);

    /// <summary>Records a failed pass: when to try again, and whether it starts a streak (log it as an error then).</summary>
    public PassRetry Fail()
    {
        var first = Failures == 0;
        var at = schedule.Fail(Key);
        return new PassRetry(at, at - time.GetUtcNow(), first, Failures);
    }

    /// <summary>Records a successful pass; returns how many failures in a row it ended (0 when none).</summary>
    public int Succeed()
    {
        var failures = Failures;
        schedule.Succeed(Key);
        return failures;
    }
}

/// <summary>The decision after a failed pass.</summary>
/// <param name="At">When the next attempt is due.</param>
/// <param name="Pause">How long to wait for it.</param>
/// <param name="StartsStreak">True for the first failure after a success (or start).</param>
/// <param name="Failures">Failures in a row, this one included.</param>
internal readonly record struct PassRetry(DateTimeOffset At, TimeSpan Pause, bool StartsStreak, int Failures);
