namespace Kith.Bench.Acme;

/// <summary>Prints the first failures in full on stderr (the problem document included) and counts the rest.</summary>
internal sealed class FailureLog(int printed = 10)
{
    private int seen;

    public int Count => Volatile.Read(ref seen);

    public void Report(string where, AcmeFailure failure)
    {
        if (Interlocked.Increment(ref seen) <= printed)
        {
            Console.Error.WriteLine($"acme-load: {where}: {failure.Kind}: {failure.Message}");
        }
    }
}
