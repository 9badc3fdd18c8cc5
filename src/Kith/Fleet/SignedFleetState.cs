namespace Kith.Fleet;

/// <summary>
/// The envelope that travels: <see cref="Payload"/> is base64 of the exact UTF-8 JSON bytes of a
/// <see cref="FleetState"/>, <see cref="Signature"/> base64 of a DER ECDSA-SHA256 signature over those
/// bytes, <see cref="Publisher"/> the PEM certificate of the key that signed, issued by the Root.
/// </summary>
public sealed record SignedFleetState(string Payload, string Signature, string Publisher)
{
    /// <summary>No envelope larger than this is even parsed.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;
}
