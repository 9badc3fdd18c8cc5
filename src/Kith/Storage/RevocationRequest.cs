namespace Kith.Storage;

/// <summary>
/// A leaf revocation the operator cannot carry out itself because an agent issued the certificate: it travels to
/// machine <see cref="Machine"/> in the fleet state (docs/revoke.md). By serial, or by name (every certificate
/// with that name issued no later than <see cref="RequestedAt"/>); exactly one of the two is set.
/// </summary>
/// <param name="SerialHex">Lower-case hex serial, or null.</param>
/// <param name="Name">A DNS name of the certificates to revoke, or null.</param>
public sealed record RevocationRequest(string Machine, string? SerialHex, string? Name, RevocationReason Reason, DateTimeOffset RequestedAt);
