using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kith.Acme.Jws;

namespace Kith.Acme.Issuance;

/// <summary>
/// Checks the "externalAccountBinding" of a newAccount request (RFC 8555 §7.3.4): a flattened JWS,
/// MACed with a key the operator handed out (<c>kith acme eab create</c>), whose payload is the account
/// key being registered. Whether the kid is still free to bind is the store's to decide
/// (<c>IAcmeStore.CreateAccountAsync</c>); this only proves the client holds the MAC key for it.
/// </summary>
public static class ExternalAccountBinding
{
    private static readonly HashSet<string> FlattenedMembers = new(StringComparer.Ordinal) { "protected", "payload", "signature" };

    /// <summary>
    /// Null when the binding is valid (then <paramref name="kid"/> is its key identifier); otherwise the
    /// problem to answer newAccount with: <c>malformed</c> for a binding that is not built as §7.3.4
    /// says, <c>unauthorized</c> for an unknown kid, a MAC that does not verify, a payload naming another
    /// key, or another url.
    /// </summary>
    /// <param name="binding">The "externalAccountBinding" member of the newAccount payload.</param>
    /// <param name="accountKey">The key of the outer JWS (its "jwk").</param>
    /// <param name="newAccountUrl">The newAccount URL; the binding's "url" must equal it.</param>
    /// <param name="hmacKeyForKid">The MAC key of a kid, or null when no such kid exists.</param>
    public static AcmeProblem? Verify(
        JsonElement binding,
        AcmeAccountKey accountKey,
        string newAccountUrl,
        Func<string, byte[]?> hmacKeyForKid,
        out string? kid)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentNullException.ThrowIfNull(newAccountUrl);
        ArgumentNullException.ThrowIfNull(hmacKeyForKid);
        kid = null;
        try
        {
            var problem = VerifyUnguarded(binding, accountKey, newAccountUrl, hmacKeyForKid, out var found);
            kid = problem is null ? found : null;
            return problem;
        }
        catch (JsonException)
        {
            return Malformed("the externalAccountBinding protected header or payload is not valid JSON");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Malformed("the externalAccountBinding is not valid UTF-8 JSON");
        }
    }

    private static AcmeProblem? VerifyUnguarded(
        JsonElement binding,
        AcmeAccountKey accountKey,
        string newAccountUrl,
        Func<string, byte[]?> hmacKeyForKid,
        out string? kid)
    {
        kid = null;
        if (binding.ValueKind != JsonValueKind.Object)
        {
            return Malformed("externalAccountBinding must be a flattened JWS object with protected, payload and signature");
        }

        foreach (var member in binding.EnumerateObject())
        {
            if (!FlattenedMembers.Contains(member.Name))
            {
                return Malformed($"the externalAccountBinding member \"{member.Name}\" is not allowed; only protected, payload and signature");
            }
        }

        if (!AcmeJwkParser.TryGetString(binding, "protected", out var protectedText)
            || !AcmeJwkParser.TryGetString(binding, "payload", out var payloadText)
            || !AcmeJwkParser.TryGetString(binding, "signature", out var signatureText))
        {
            return Malformed("the externalAccountBinding needs protected, payload and signature strings");
        }

        if (!StrictBase64Url.TryDecode(protectedText, out var protectedBytes) || protectedBytes.Length == 0
            || !StrictBase64Url.TryDecode(payloadText, out var payload)
            || !StrictBase64Url.TryDecode(signatureText, out var signature))
        {
            return Malformed("the externalAccountBinding protected, payload and signature must be unpadded base64url");
        }

        using var headerDocument = JsonDocument.Parse(protectedBytes, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 8 });
        var header = headerDocument.RootElement;
        if (CheckHeader(header, newAccountUrl, out var hash, out kid) is { } headerProblem)
        {
            return headerProblem;
        }

        using var payloadDocument = JsonDocument.Parse(payload, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 8 });
        if (!AcmeJwkParser.TryParse(payloadDocument.RootElement, out var boundKey, out var keyProblem))
        {
            return Malformed($"the externalAccountBinding payload must be the account's public JWK: {keyProblem!.Detail}");
        }

        if (hmacKeyForKid(kid!) is not { } macKey)
        {
            return Unauthorized($"the external account kid \"{kid}\" is unknown; ask the operator for a key from `kith acme eab create`");
        }

        var expected = HmacOf(hash, macKey, Encoding.ASCII.GetBytes(protectedText + "." + payloadText));
        if (signature.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(signature, expected))
        {
            return Unauthorized($"the externalAccountBinding MAC does not verify for kid \"{kid}\"; check the HMAC key given with it");
        }

        // After the MAC: only a holder of the key learns whether the bound key matched.
        return boundKey!.SameKeyAs(accountKey)
            ? null
            : Unauthorized("the externalAccountBinding payload is another key than the one this newAccount request is signed with");
    }

    private static AcmeProblem? CheckHeader(JsonElement header, string newAccountUrl, out HashAlgorithmName hash, out string? kid)
    {
        hash = default;
        kid = null;
        if (header.ValueKind != JsonValueKind.Object)
        {
            return Malformed("the externalAccountBinding protected header must be a JSON object");
        }

        if (!AcmeJwkParser.TryGetString(header, "alg", out var alg))
        {
            return Malformed("the externalAccountBinding protected header has no \"alg\" string");
        }

        hash = alg switch
        {
            "HS256" => HashAlgorithmName.SHA256,
            "HS384" => HashAlgorithmName.SHA384,
            "HS512" => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash == default)
        {
            return Malformed($"the externalAccountBinding alg \"{alg}\" is not accepted; it must be a MAC: HS256, HS384 or HS512");
        }

        if (!AcmeJwkParser.TryGetString(header, "kid", out kid) || kid.Length == 0)
        {
            return Malformed("the externalAccountBinding protected header has no \"kid\" string (the key identifier from the operator)");
        }

        if (header.TryGetProperty("nonce", out _))
        {
            return Malformed("the externalAccountBinding protected header must not carry a nonce (RFC 8555 §7.3.4)");
        }

        if (header.TryGetProperty("jwk", out _) || header.TryGetProperty("crit", out _))
        {
            return Malformed("the externalAccountBinding protected header carries \"jwk\" or \"crit\"; it needs only alg, kid and url");
        }

        if (!AcmeJwkParser.TryGetString(header, "url", out var url))
        {
            return Malformed("the externalAccountBinding protected header has no \"url\" string");
        }

        return string.Equals(url, newAccountUrl, StringComparison.Ordinal)
            ? null
            : Unauthorized($"the externalAccountBinding url \"{url}\" differs from the newAccount URL \"{newAccountUrl}\"");
    }

    private static byte[] HmacOf(HashAlgorithmName hash, byte[] key, byte[] data) => hash.Name switch
    {
        "SHA384" => HMACSHA384.HashData(key, data),
        "SHA512" => HMACSHA512.HashData(key, data),
        _ => HMACSHA256.HashData(key, data),
    };

    private static AcmeProblem Malformed(string detail) => new(AcmeErrorType.Malformed, detail);

    private static AcmeProblem Unauthorized(string detail) => new(AcmeErrorType.Unauthorized, detail);
}
