namespace Kith.Acme.Validation;

/// <summary>
/// Bounds how many challenge validations run at once, so a burst of ACME orders cannot open an
/// unbounded number of outgoing connections. Extra validations wait for a free slot.
/// </summary>
public sealed class ChallengeValidationQueue(int maxConcurrent = 16) : IDisposable
{
    private readonly SemaphoreSlim slots = new(maxConcurrent > 0 ? maxConcurrent : throw new ArgumentOutOfRangeException(nameof(maxConcurrent)), maxConcurrent);

    public int MaxConcurrent { get; } = maxConcurrent;

    public async Task<ChallengeResult> ValidateAsync(IChallengeValidator validator, ChallengeRequest request, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await validator.ValidateAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    public void Dispose() => slots.Dispose();
}
