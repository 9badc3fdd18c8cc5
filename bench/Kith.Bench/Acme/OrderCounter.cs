namespace Kith.Bench.Acme;

/// <summary>Hands out order numbers 1…total to whichever client is free, so a fast client takes more.</summary>
internal sealed class OrderCounter(int total)
{
    private int taken;

    public bool TryTake(out int order)
    {
        order = Interlocked.Increment(ref taken);
        return order <= total;
    }
}
