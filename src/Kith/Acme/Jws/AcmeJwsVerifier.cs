using System.Text;
using System.Text.Json;

namespace Kith.Acme.Jws;

/// <summary>
/// Verifies the flattened JSON JWS that carries every ACME POST (RFC 8555 §6.2). Bad input of any
/// kind ends as a refused <see cref="AcmeJwsResult"/> with an ACME problem; nothing here throws for it.
/// </summary>
public static class AcmeJwsVerifier
{
    private static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    private static readonly HashSet<string> FlattenedMembers = new(StringComparer.Ordinal) { "protected", "payload", "signature" };

    /// <summary>
    /// Verifies an ACME request body. A "kid" header is resolved through <paramref name="accountKeyForKid"/>
    /// (null when no such account exists); a "jwk" header supplies the key itself.
    /// </summary>
    /// <param name="body">The raw HTTP request body.</param>
    /// <param name="maxBodyBytes">Larger bodies are refused before parsing.</param>
    public static AcmeJwsResult Verify(ReadOnlySpan<byte> body, int maxBodyBytes, Func<string, AcmeAccountKey?> accountKeyForKid)
    {
        ArgumentNullException.ThrowIfNull(accountKeyForKid);
        if (body.Length > maxBodyBytes)
        {
            return Refuse(AcmeErrorType.Malformed, $"the request body is {body.Length} bytes; the limit is {maxBodyBytes}");
        }

        return Guarded(body, inner: false, accountKeyForKid);
    }

    /// <summary>
    /// Verifies the inner JWS of a keyChange request (RFC 8555 §7.3.5), found in the payload of the
    /// already verified outer request: signed by the new key given as "jwk", no "nonce", the same
    /// "url" as the outer JWS, and a payload naming the outer account and its current key as "oldKey".
    /// On success the request's <see cref="AcmeJwsRequest.Key"/> is the new key.
    /// </summary>
    public static AcmeJwsResult VerifyKeyChange(AcmeJwsRequest outer)
    {
        ArgumentNullException.ThrowIfNull(outer);
        if (outer.Kid is null)
        {
            return Refuse(AcmeErrorType.Malformed, "a keyChange request must be signed with the account key and carry \"kid\"");
        }

        var result = Guarded(outer.Payload, inner: true, _ => null);
        if (!result.IsVerified)
        {
            return result;
        }

        var inner = result.Request;
        if (!string.Equals(inner.Url, outer.Url, StringComparison.Ordinal))
        {
            return Refuse(AcmeErrorType.Malformed, "the keyChange inner JWS url differs from the outer url");
        }

        try
        {
            using var payload = JsonDocument.Parse(inner.Payload, StrictJson);
            var root = payload.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !AcmeJwkParser.TryGetString(root, "account", out string? account)
                || !root.TryGetProperty("oldKey", out var oldKeyJwk))
            {
                return Refuse(AcmeErrorType.Malformed, "the keyChange inner payload must be an object with \"account\" and \"oldKey\"");
            }

            if (!string.Equals(account, outer.Kid, StringComparison.Ordinal))
            {
                return Refuse(AcmeErrorType.Malformed, "the keyChange inner payload account differs from the outer kid");
            }

            if (!AcmeJwkParser.TryParse(oldKeyJwk, out var oldKey, out var problem))
            {
                return AcmeJwsResult.Refused(problem!);
            }

            return oldKey!.SameKeyAs(outer.Key)
                ? result
                : Refuse(AcmeErrorType.Unauthorized, "the keyChange oldKey is not the account's current key");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Refuse(AcmeErrorType.Malformed, "the keyChange inner payload is not valid UTF-8 JSON");
        }
    }

    private static AcmeJwsResult Guarded(ReadOnlySpan<byte> body, bool inner, Func<string, AcmeAccountKey?> accountKeyForKid)
    {
        try
        {
            return VerifyUnguarded(body, inner, accountKeyForKid);
        }
        catch (JsonException)
        {
            return Refuse(AcmeErrorType.Malformed, inner ? "the keyChange inner JWS is not valid JSON" : "the request body is not valid JSON");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // JsonDocument only finds invalid UTF-8 inside a string when the string is read.
            return Refuse(AcmeErrorType.Malformed, "the request body is not valid UTF-8 JSON");
        }
    }

    private static AcmeJwsResult VerifyUnguarded(ReadOnlySpan<byte> body, bool inner, Func<string, AcmeAccountKey?> accountKeyForKid)
    {
        using var document = JsonDocument.Parse(body.ToArray(), StrictJson);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Refuse(AcmeErrorType.Malformed, "the JWS must be a JSON object in flattened serialization");
        }

        foreach (var member in root.EnumerateObject())
        {
            if (member.Name == "signatures")
            {
                return Refuse(AcmeErrorType.Malformed, "general JWS serialization is not accepted; send the flattened form");
            }

            if (!FlattenedMembers.Contains(member.Name))
            {
                return Refuse(AcmeErrorType.Malformed, $"the JWS member \"{member.Name}\" is not allowed; only protected, payload and signature");
            }

            if (member.Value.ValueKind != JsonValueKind.String)
            {
                return Refuse(AcmeErrorType.Malformed, $"the JWS member \"{member.Name}\" must be a string");
            }
        }

        if (!AcmeJwkParser.TryGetString(root, "protected", out string? protectedText)
            || !AcmeJwkParser.TryGetString(root, "payload", out string? payloadText)
            || !AcmeJwkParser.TryGetString(root, "signature", out string? signatureText))
        {
            return Refuse(AcmeErrorType.Malformed, "the JWS needs protected, payload and signature members");
        }

        if (!StrictBase64Url.TryDecode(protectedText, out byte[] protectedBytes) || protectedBytes.Length == 0)
        {
            return Refuse(AcmeErrorType.Malformed, "the JWS protected header is not unpadded base64url");
        }

        if (!StrictBase64Url.TryDecode(payloadText, out byte[] payload))
        {
            return Refuse(AcmeErrorType.Malformed, "the JWS payload is not unpadded base64url");
        }

        if (!StrictBase64Url.TryDecode(signatureText, out byte[] signature))
        {
            return Refuse(AcmeErrorType.Malformed, "the JWS signature is not unpadded base64url");
        }

        using var headerDocument = JsonDocument.Parse(protectedBytes, StrictJson);
        var header = headerDocument.RootElement;
        if (header.ValueKind != JsonValueKind.Object)
        {
            return Refuse(AcmeErrorType.Malformed, "the JWS protected header must be a JSON object");
        }

        var headerCheck = CheckHeader(header, inner, out string alg, out string url, out string? nonce);
        if (headerCheck is not null)
        {
            return AcmeJwsResult.Refused(headerCheck);
        }

        AcmeAccountKey? key;
        string? kid = null;
        if (header.TryGetProperty("jwk", out var jwk))
        {
            if (!AcmeJwkParser.TryParse(jwk, out key, out var jwkProblem))
            {
                return AcmeJwsResult.Refused(jwkProblem!);
            }
        }
        else
        {
            AcmeJwkParser.TryGetString(header, "kid", out kid);
            key = accountKeyForKid(kid!);
            if (key is null)
            {
                return Refuse(AcmeErrorType.AccountDoesNotExist, $"no account has the kid \"{kid}\"");
            }
        }

        if (!string.Equals(alg, key!.Algorithm, StringComparison.Ordinal))
        {
            return AcmeJwsResult.Refused(JwsAlgorithms.Refusal($"alg {alg} does not fit the {key.KeyType} key; that key signs with {key.Algorithm}"));
        }

        byte[] signingInput = Encoding.ASCII.GetBytes(protectedText + "." + payloadText);
        if (!key.Verify(alg, signingInput, signature))
        {
            return Refuse(AcmeErrorType.Malformed, "the JWS signature does not verify");
        }

        return AcmeJwsResult.Verified(new AcmeJwsRequest(alg, key, kid, nonce, url, payload, payloadText.Length == 0));
    }

    private static AcmeProblem? CheckHeader(JsonElement header, bool inner, out string alg, out string url, out string? nonce)
    {
        url = "";
        nonce = null;
        if (!AcmeJwkParser.TryGetString(header, "alg", out alg!))
        {
            alg = "";
            return new AcmeProblem(AcmeErrorType.Malformed, "the JWS protected header has no \"alg\" string");
        }

        if (!JwsAlgorithms.IsSupported(alg))
        {
            return JwsAlgorithms.Refusal($"alg \"{alg}\" is not accepted; use one of {string.Join(", ", JwsAlgorithms.Supported)}");
        }

        // ACME defines no JWS extensions, so any critical extension is one this server does not understand.
        if (header.TryGetProperty("crit", out _))
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the JWS crit header lists extensions this server does not support");
        }

        if (header.TryGetProperty("b64", out var b64) && b64.ValueKind != JsonValueKind.True)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "unencoded payloads (b64 false) are not supported");
        }

        bool hasJwk = header.TryGetProperty("jwk", out _);
        bool hasKid = header.TryGetProperty("kid", out var kid);
        if (hasJwk == hasKid)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the JWS protected header must carry exactly one of \"jwk\" and \"kid\"");
        }

        if (hasKid && (kid.ValueKind != JsonValueKind.String || kid.GetString()!.Length == 0))
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the JWS kid must be a non-empty string (the account URL)");
        }

        if (inner && hasKid)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the keyChange inner JWS must carry the new key as \"jwk\"");
        }

        bool hasNonce = header.TryGetProperty("nonce", out var nonceElement);
        if (inner && hasNonce)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the keyChange inner JWS must not carry a nonce");
        }

        if (!inner)
        {
            if (!hasNonce || nonceElement.ValueKind != JsonValueKind.String || nonceElement.GetString()!.Length == 0)
            {
                return new AcmeProblem(AcmeErrorType.Malformed, "the JWS protected header has no \"nonce\" string");
            }

            nonce = nonceElement.GetString();
        }

        if (!AcmeJwkParser.TryGetString(header, "url", out string? urlText) || urlText.Length == 0)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "the JWS protected header has no \"url\" string");
        }

        url = urlText;
        return null;
    }

    private static AcmeJwsResult Refuse(AcmeErrorType type, string detail) => AcmeJwsResult.Refused(new AcmeProblem(type, detail));
}
