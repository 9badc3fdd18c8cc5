namespace Kith.Acme.Validation;

/// <summary>The ACME error types (RFC 8555 §6.7) a challenge validation can end with.</summary>
public static class AcmeProblemTypes
{
    public const string Connection = "urn:ietf:params:acme:error:connection";
    public const string IncorrectResponse = "urn:ietf:params:acme:error:incorrectResponse";
    public const string Dns = "urn:ietf:params:acme:error:dns";
    public const string Tls = "urn:ietf:params:acme:error:tls";
    public const string Unauthorized = "urn:ietf:params:acme:error:unauthorized";
}
