namespace Kith.Acme.Validation;

/// <summary>Validates one type of ACME challenge (http-01, dns-01 or tls-alpn-01) against the real network.</summary>
public interface IChallengeValidator
{
    /// <summary>The challenge type as it appears in ACME ("http-01", "dns-01", "tls-alpn-01").</summary>
    string ChallengeType { get; }

    /// <summary>
    /// Checks the challenge. Network failures, timeouts and wrong answers become an invalid
    /// <see cref="ChallengeResult"/>; only cancellation by <paramref name="cancellationToken"/> throws.
    /// </summary>
    Task<ChallengeResult> ValidateAsync(ChallengeRequest request, CancellationToken cancellationToken);
}
