using System.Security.Cryptography;
using System.Text.Json;

namespace Kith.Acme.Jws;

/// <summary>
/// Reads an account public key from a JWK (RFC 7517/7518/8037): EC P-256/P-384, RSA or OKP Ed25519.
/// Anything else, or a key that is not a valid public key, becomes a problem rather than an exception.
/// </summary>
public static class AcmeJwkParser
{
    private const int MinRsaBits = 2048;
    private const int MaxRsaBits = 8192;

    // Private or symmetric key members: a client that sends one has leaked its key.
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>Parses a JWK object; on failure <paramref name="problem"/> says why.</summary>
    public static bool TryParse(JsonElement jwk, out AcmeAccountKey? key, out AcmeProblem? problem)
    {
        key = null;
        try
        {
            problem = Parse(jwk, ref key);
        }
        catch (InvalidOperationException)
        {
            // A string member holding invalid UTF-8 only fails when it is read.
            problem = new AcmeProblem(AcmeErrorType.Malformed, "jwk is not valid UTF-8 JSON");
        }

        return problem is null;
    }

    private static AcmeProblem? Parse(JsonElement jwk, ref AcmeAccountKey? key)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "jwk must be a JSON object");
        }

        foreach (string member in PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                return new AcmeProblem(AcmeErrorType.Malformed, $"jwk holds the private member \"{member}\"; send only the public key");
            }
        }

        if (!TryGetString(jwk, "kty", out string? kty))
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "jwk has no \"kty\" string");
        }

        return kty switch
        {
            "EC" => ParseEc(jwk, ref key),
            "RSA" => ParseRsa(jwk, ref key),
            "OKP" => ParseOkp(jwk, ref key),
            _ => new AcmeProblem(AcmeErrorType.BadPublicKey, $"jwk kty \"{kty}\" is not supported; use EC (P-256, P-384), RSA or OKP (Ed25519)"),
        };
    }

    private static AcmeProblem? ParseEc(JsonElement jwk, ref AcmeAccountKey? key)
    {
        if (!TryGetString(jwk, "crv", out string? crv))
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "EC jwk has no \"crv\" string");
        }

        (ECCurve curve, int size) = crv switch
        {
            "P-256" => (ECCurve.NamedCurves.nistP256, 32),
            "P-384" => (ECCurve.NamedCurves.nistP384, 48),
            _ => (default(ECCurve), 0),
        };
        if (size == 0)
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, $"EC curve \"{crv}\" is not supported; use P-256 or P-384");
        }

        if (ReadBytes(jwk, "x", out string? xText, out byte[] x) is { } xProblem)
        {
            return xProblem;
        }

        if (ReadBytes(jwk, "y", out string? yText, out byte[] y) is { } yProblem)
        {
            return yProblem;
        }

        if (x.Length != size || y.Length != size)
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, $"{crv} coordinates must be {size} bytes each; got x {x.Length}, y {y.Length}");
        }

        var parameters = new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } };
        try
        {
            parameters.Validate();
            using var ecdsa = ECDsa.Create(parameters);
        }
        catch (CryptographicException)
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, $"the {crv} jwk is not a point on the curve");
        }

        key = AcmeAccountKey.ForEc(crv, parameters, xText!, yText!);
        return null;
    }

    private static AcmeProblem? ParseRsa(JsonElement jwk, ref AcmeAccountKey? key)
    {
        if (ReadBytes(jwk, "n", out string? nText, out byte[] n) is { } nProblem)
        {
            return nProblem;
        }

        if (ReadBytes(jwk, "e", out string? eText, out byte[] e) is { } eProblem)
        {
            return eProblem;
        }

        // RFC 7518 §6.3.1: integers use the fewest octets, so the thumbprint has one value per key.
        if (n.Length == 0 || n[0] == 0 || e.Length == 0 || e[0] == 0)
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, "RSA n and e must be non-empty and have no leading zero octets");
        }

        int bits = (n.Length * 8) - System.Numerics.BitOperations.LeadingZeroCount((uint)n[0]) + 24;
        if (bits < MinRsaBits || bits > MaxRsaBits)
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, $"RSA key is {bits} bits; use {MinRsaBits} to {MaxRsaBits} bits");
        }

        if (e.Length > 4 || (e[^1] & 1) == 0 || (e.Length == 1 && e[0] < 3))
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, "RSA exponent e must be an odd number from 3 to 2^32-1");
        }

        var parameters = new RSAParameters { Modulus = n, Exponent = e };
        try
        {
            using var rsa = RSA.Create(parameters);
        }
        catch (CryptographicException)
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, "the RSA jwk is not a valid public key");
        }

        key = AcmeAccountKey.ForRsa(parameters, nText!, eText!);
        return null;
    }

    private static AcmeProblem? ParseOkp(JsonElement jwk, ref AcmeAccountKey? key)
    {
        if (!TryGetString(jwk, "crv", out string? crv))
        {
            return new AcmeProblem(AcmeErrorType.Malformed, "OKP jwk has no \"crv\" string");
        }

        if (crv != "Ed25519")
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, $"OKP curve \"{crv}\" is not supported; use Ed25519");
        }

        if (ReadBytes(jwk, "x", out string? xText, out byte[] x) is { } xProblem)
        {
            return xProblem;
        }

        if (x.Length != 32 || !Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.ValidatePublicKeyFull(x, 0))
        {
            return new AcmeProblem(AcmeErrorType.BadPublicKey, "the Ed25519 jwk x is not a valid 32-byte public key");
        }

        key = AcmeAccountKey.ForEd25519(x, xText!);
        return null;
    }

    private static AcmeProblem? ReadBytes(JsonElement jwk, string member, out string? text, out byte[] bytes)
    {
        bytes = [];
        if (!TryGetString(jwk, member, out text))
        {
            return new AcmeProblem(AcmeErrorType.Malformed, $"jwk has no \"{member}\" string");
        }

        return StrictBase64Url.TryDecode(text, out bytes)
            ? null
            : new AcmeProblem(AcmeErrorType.Malformed, $"jwk \"{member}\" is not unpadded base64url");
    }

    internal static bool TryGetString(JsonElement obj, string member, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        if (obj.TryGetProperty(member, out var element) && element.ValueKind == JsonValueKind.String)
        {
            value = element.GetString();
        }

        return value is not null;
    }
}
