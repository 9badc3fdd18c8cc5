namespace Kith.Pki;

/// <summary>
/// A request kith's issuance policy refuses before anything is signed or stored.
/// <see cref="Field"/> names the offending part of the request (e.g. <c>names[1]</c>, <c>notAfter</c>, <c>publicKey</c>).
/// </summary>
public sealed class PolicyViolationException : KithException
{
    public PolicyViolationException(string issuer, string field, string reason)
        : base($"refused by CA '{issuer}': {field}: {reason}")
    {
        Issuer = issuer;
        Field = field;
        Reason = reason;
    }

    public PolicyViolationException()
        : this("?", "?", "?")
    {
    }

    public PolicyViolationException(string message)
        : this("?", "?", message)
    {
    }

    public PolicyViolationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Issuer = "?";
        Field = "?";
        Reason = message;
    }

    public string Issuer { get; }

    public string Field { get; }

    public string Reason { get; }
}
