namespace Kith.Acme.Validation;

/// <summary>A validation step failed in a way that maps to one ACME problem type; caught inside the validators.</summary>
internal sealed class ChallengeNetworkException(AcmeErrorType problemType, string message) : Exception(message)
{
    public AcmeErrorType ProblemType { get; } = problemType;
}
