namespace Kith.Acme.Validation;

/// <summary>A validation step failed in a way that maps to one ACME problem type; caught inside the validators.</summary>
internal sealed class ChallengeNetworkException(string problemType, string message) : Exception(message)
{
    public string ProblemType { get; } = problemType;
}
