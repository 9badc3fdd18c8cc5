// Temporary: the acme-issuance branch provides these; deleted at merge.
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.Acme.Jws;
using Kith.Storage;

namespace Kith.Acme.Issuance;

public sealed record AcmeCsrRequest(IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> IpAddresses, ReadOnlyMemory<byte> SubjectPublicKeyInfo);

public sealed record AcmeRevocationRequest(byte[] CertificateDer, RevocationReason Reason);

public static class AcmeCsr
{
    public static bool TryRead(ReadOnlyMemory<byte> csrDer, IReadOnlyList<AcmeIdentifier> orderIdentifiers, AcmeAccountKey accountKey, out AcmeCsrRequest? request, out AcmeProblem? problem) => throw new NotImplementedException();
}

public static class AcmeRevocation
{
    public static bool TryRead(ReadOnlySpan<byte> payloadJson, out AcmeRevocationRequest? request, out AcmeProblem? problem) => throw new NotImplementedException();

    public static bool KeyMatchesCertificate(AcmeAccountKey key, X509Certificate2 certificate) => throw new NotImplementedException();
}

public static class ExternalAccountBinding
{
    public static AcmeProblem? Verify(JsonElement binding, AcmeAccountKey accountKey, string newAccountUrl, Func<string, byte[]?> hmacKeyForKid, out string? kid) => throw new NotImplementedException();
}
