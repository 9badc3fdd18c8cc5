using Kith.Acme.Jws;
using Kith.Pki;

namespace Kith.Acme.Issuance;

/// <summary>
/// Reads and judges the CSR of a finalize request (RFC 8555 §7.4) before anything is signed: a strict DER
/// PKCS#10 request whose signature verifies, whose key <see cref="PublicKeyCheck"/> accepts and is not the
/// account's key (RFC 8555 §11.1), and whose names are exactly the order's identifiers. Every refusal is a
/// <c>badCSR</c> problem whose detail says what to fix; nothing here throws for what a client sends.
/// </summary>
public static class AcmeCsr
{
    /// <summary>
    /// True with the names and key to certify, or false with the <c>badCSR</c> problem to answer.
    /// </summary>
    /// <param name="csrDer">The decoded "csr" member of the finalize payload.</param>
    /// <param name="orderIdentifiers">The order's identifiers, as accepted by <see cref="OrderIdentifierPolicy"/>.</param>
    /// <param name="accountKey">The key of the account that sent the finalize request.</param>
    public static bool TryRead(
        ReadOnlyMemory<byte> csrDer,
        IReadOnlyList<AcmeIdentifier> orderIdentifiers,
        AcmeAccountKey accountKey,
        out AcmeCsrRequest? request,
        out AcmeProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(orderIdentifiers);
        ArgumentNullException.ThrowIfNull(accountKey);
        request = null;
        var reason = Judge(csrDer, orderIdentifiers, accountKey, ref request);
        problem = reason is null ? null : new AcmeProblem(AcmeErrorType.BadCsr, reason);
        return reason is null;
    }

    private static string? Judge(ReadOnlyMemory<byte> csrDer, IReadOnlyList<AcmeIdentifier> order, AcmeAccountKey accountKey, ref AcmeCsrRequest? request)
    {
        if (csrDer.IsEmpty)
        {
            return "the CSR is empty; send a DER PKCS#10 request";
        }

        if (CsrReader.TryRead(csrDer, out var parts) is { } structure)
        {
            return structure;
        }

        if (parts!.Version != 0)
        {
            return $"the CSR's version is {parts.Version}; PKCS#10 defines only version 0 (v1)";
        }

        if (CsrSignature.TryIdentify(parts.SignatureAlgorithmOid, parts.SignatureParameters, out var signature) is { } algorithm)
        {
            return algorithm;
        }

        if (PublicKeyCheck.Problem(parts.SubjectPublicKeyInfo) is { } weak)
        {
            return $"the CSR's public key is refused: {weak}";
        }

        if (!signature!.FitsKey(parts.KeyAlgorithmOid))
        {
            return $"the CSR is signed with {signature.Name}, which does not fit its {(parts.KeyAlgorithmOid == CsrSignature.EcPublicKeyOid ? "EC" : "RSA")} key";
        }

        if (!signature.Verify(parts, out var canonicalKey))
        {
            return $"the CSR's {signature.Name} signature does not verify with its own public key; sign the request with the key it names";
        }

        if (canonicalKey.AsSpan().SequenceEqual(accountKey.SubjectPublicKeyInfo))
        {
            return "the CSR's public key is the ACME account key; the certificate needs a key of its own (RFC 8555 §11.1)";
        }

        if (CsrNames.Match(parts, order, out var dnsNames, out var ipAddresses) is { } names)
        {
            return names;
        }

        request = new AcmeCsrRequest(dnsNames, ipAddresses, canonicalKey);
        return null;
    }
}
