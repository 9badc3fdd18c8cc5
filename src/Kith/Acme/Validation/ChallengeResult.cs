namespace Kith.Acme.Validation;

/// <summary>
/// The outcome of validating one ACME challenge: valid, or invalid with an ACME problem type
/// (RFC 8555 §6.7) and a detail that says exactly what the validator saw.
/// </summary>
public sealed record ChallengeResult(bool IsValid, AcmeErrorType? ProblemType, string Detail)
{
    public static ChallengeResult Valid(string detail) => new(true, null, detail);

    public static ChallengeResult Invalid(AcmeErrorType problemType, string detail) => new(false, problemType, detail);
}
