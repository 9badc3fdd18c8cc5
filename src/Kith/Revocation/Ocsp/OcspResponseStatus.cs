namespace Kith.Revocation.Ocsp;

/// <summary>OCSPResponseStatus (RFC 6960 §4.2.1); 4 is not used.</summary>
public enum OcspResponseStatus
{
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}
