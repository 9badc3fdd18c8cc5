namespace Kith.Bench.Acme;

/// <summary>
/// Hands out order numbers 1…total to whichever client is free, so a fast client takes more; after
/// <see cref="Stop"/> it hands out none, so the run ends once the orders under way are done.
/// </summary>
internal sealed class OrderCounter(int total)
{
    private int taken;
    private volatile bool stopped;

    public bool Stopped => stopped;

    public bool TryTake(out int order)
    {
        order = Interlocked.Increment(ref taken);
        return !stopped && order <= total;
    }

    public void Stop() => stopped = true;
}
