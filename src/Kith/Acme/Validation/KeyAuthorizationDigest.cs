using System.Security.Cryptography;
using System.Text;

namespace Kith.Acme.Validation;

/// <summary>SHA-256 of a key authorization, as dns-01 (base64url) and tls-alpn-01 (raw bytes) use it.</summary>
public static class KeyAuthorizationDigest
{
    public static byte[] Sha256(string keyAuthorization) => SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));

    /// <summary>The dns-01 TXT value: base64url without padding of SHA-256(key authorization) (RFC 8555 §8.4).</summary>
    public static string Base64UrlSha256(string keyAuthorization) =>
        System.Buffers.Text.Base64Url.EncodeToString(Sha256(keyAuthorization));
}
