using System.Formats.Asn1;
using System.Numerics;

namespace Kith.Pki;

/// <summary>
/// Judges a SubjectPublicKeyInfo without importing it (cheap enough for every issuance): only P-256,
/// P-384 and P-521 points in uncompressed form, and RSA of at least 2048 bits with an odd public exponent
/// of at least 65537 (small exponents invite Coppersmith-style attacks; CA/B BR §6.1.6).
/// </summary>
public static class PublicKeyCheck
{
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const int MinimumRsaBits = 2048;

    private static readonly Dictionary<string, (string Name, int PointLength)> Curves = new()
    {
        ["1.2.840.10045.3.1.7"] = ("P-256", 65),
        ["1.3.132.0.34"] = ("P-384", 97),
        ["1.3.132.0.35"] = ("P-521", 133),
    };

    /// <summary>Returns null when the key is acceptable, else the reason it is not.</summary>
    public static string? Problem(ReadOnlyMemory<byte> subjectPublicKeyInfo)
    {
        try
        {
            var (oid, algorithm, key, unusedBits) = SubjectPublicKeyInfoParts.Read(subjectPublicKeyInfo);
            if (unusedBits != 0)
            {
                return "the public key BIT STRING has unused bits";
            }

            return oid switch
            {
                EcPublicKey => EcProblem(algorithm, key),
                RsaEncryption => RsaProblem(key),
                _ => $"key algorithm {oid} is not accepted (use ECDSA P-256/P-384 or RSA ≥ 2048)",
            };
        }
        catch (AsnContentException)
        {
            return "the public key is not valid DER";
        }
    }

    private static string? EcProblem(AsnReader algorithm, byte[] point)
    {
        if (!algorithm.HasData || algorithm.PeekTag() != Asn1Tag.ObjectIdentifier)
        {
            return "ECDSA keys must name their curve";
        }

        var curve = algorithm.ReadObjectIdentifier();
        if (!Curves.TryGetValue(curve, out var known))
        {
            return $"curve {curve} is not accepted (P-192 and other weak or unusual curves are refused; use P-256 or P-384)";
        }

        if (point.Length != known.PointLength || point[0] != 0x04)
        {
            return $"the {known.Name} point is not a valid uncompressed point";
        }

        return null;
    }

    private static string? RsaProblem(byte[] key)
    {
        var reader = new AsnReader(key, AsnEncodingRules.DER).ReadSequence();
        var modulus = reader.ReadIntegerBytes().Span;
        var exponent = reader.ReadInteger();
        var bits = (modulus.TrimStart((byte)0).Length * 8) - LeadingZeroBits(modulus.TrimStart((byte)0));
        if (bits < MinimumRsaBits)
        {
            return $"RSA key of {bits} bits is too small (at least {MinimumRsaBits})";
        }

        if (exponent < 65537 || exponent.IsEven)
        {
            return $"RSA public exponent {exponent} is refused (must be odd and at least 65537)";
        }

        return null;
    }

    private static int LeadingZeroBits(ReadOnlySpan<byte> value) =>
        value.IsEmpty ? 0 : BitOperations.LeadingZeroCount((uint)value[0]) - 24;
}
