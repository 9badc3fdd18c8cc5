namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>An external account binding (RFC 8555 §7.3.4) a client is given: the key id and the base64url HMAC key.</summary>
internal sealed record ExternalAccount(string KeyId, string HmacKey);
