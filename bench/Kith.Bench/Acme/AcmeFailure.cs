namespace Kith.Bench.Acme;

/// <summary>
/// An answer the load client did not expect: a wrong status, a problem document, a missing header or a
/// certificate that does not match the order. <see cref="Kind"/> groups failures in the report.
/// </summary>
internal sealed class AcmeFailure(string kind, string message) : Exception(message)
{
    public const string ProblemPrefix = "urn:ietf:params:acme:error:";

    /// <summary>The problem type without the ACME URN prefix, or http-STATUS, transport, client-check, poll-timeout.</summary>
    public string Kind { get; } = kind;
}
