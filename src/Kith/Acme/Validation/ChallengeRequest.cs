namespace Kith.Acme.Validation;

/// <summary>
/// What one challenge validation needs: the DNS name being proven, the challenge token and the
/// key authorization (RFC 8555 §8.1: token + "." + base64url(JWK thumbprint)) the server expects.
/// </summary>
public sealed record ChallengeRequest(string Identifier, string Token, string KeyAuthorization);
