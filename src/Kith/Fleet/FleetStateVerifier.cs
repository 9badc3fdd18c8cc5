using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.Pki;

namespace Kith.Fleet;

/// <summary>
/// Decides whether a received fleet state is trusted (docs/fleet-state.md, "Verification"): the transport
/// is not, so everything is checked here, cheapest first, and the first failure is the verdict.
/// </summary>
public static class FleetStateVerifier
{
    /// <param name="root">The fleet's Root certificate: the only trust anchor.</param>
    /// <param name="lastAcceptedVersion">The version of the last good state, or null when there is none.</param>
    /// <param name="domain">The fleet domain; null takes it from the Root's subject (O=kith &lt;domain&gt;).</param>
    public static FleetStateVerdict Verify(
        ReadOnlySpan<byte> envelope,
        X509Certificate2 root,
        long? lastAcceptedVersion,
        TimeProvider? time = null,
        string? domain = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        if (envelope.Length > SignedFleetState.MaxBytes)
        {
            return Refuse(FleetStateRefusal.Malformed, $"{envelope.Length} bytes, more than the {SignedFleetState.MaxBytes} allowed");
        }

        if (!TryDecode(envelope, out var payload, out var signature, out var publisher, out var problem))
        {
            return Refuse(FleetStateRefusal.Malformed, problem);
        }

        using (publisher)
        {
            if (now < publisher.NotBefore.ToUniversalTime() || now > publisher.NotAfter.ToUniversalTime())
            {
                return Refuse(FleetStateRefusal.PublisherExpired, $"the publisher certificate is valid from {publisher.NotBefore.ToUniversalTime():u} to {publisher.NotAfter.ToUniversalTime():u}, not at {now:u}");
            }

            if (publisher.RawData.AsSpan().SequenceEqual(root.RawData) || ChainCheck.Problem(publisher, [], root, now) is not null)
            {
                return Refuse(FleetStateRefusal.PublisherNotCertified, $"the publisher certificate ({publisher.Subject}) is not issued by this Root");
            }

            if (AuthorizationProblem(publisher) is { } unauthorized)
            {
                return Refuse(FleetStateRefusal.PublisherNotAuthorized, unauthorized);
            }

            using var key = publisher.GetECDsaPublicKey();
            if (key is null || !key.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            {
                return Refuse(FleetStateRefusal.BadSignature, "the signature does not match the payload");
            }
        }

        FleetState? state;
        try
        {
            state = JsonSerializer.Deserialize(payload, FleetStateJson.Default.FleetState);
        }
        catch (JsonException e)
        {
            return Refuse(FleetStateRefusal.Malformed, $"the payload is not a fleet state: {e.Message}");
        }

        if (state is null)
        {
            return Refuse(FleetStateRefusal.Malformed, "the payload is null");
        }

        if (LeafPolicy.Problem(state) is { } policyProblem)
        {
            return Refuse(FleetStateRefusal.Malformed, $"the payload is not a usable fleet state: {policyProblem}");
        }

        var expected = domain ?? DomainOf(root);
        if (expected is not null && !string.Equals(state.Domain, expected, StringComparison.Ordinal))
        {
            return Refuse(FleetStateRefusal.DomainMismatch, $"the state is for '{state.Domain}', this fleet is '{expected}'");
        }

        if (lastAcceptedVersion is { } last && state.Version <= last)
        {
            return Refuse(FleetStateRefusal.NotNewer, $"version {state.Version} is not higher than the last accepted {last} (rollback or replay)");
        }

        return new FleetStateVerdict.Accepted(state);
    }

    /// <summary>The domain a kith Root was made for, from its subject O=kith &lt;domain&gt;.</summary>
    public static string? DomainOf(X509Certificate2 root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var part in root.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (part.GetSingleElementType().Value == "2.5.4.10" && part.GetSingleElementValue() is { } organization
                && organization.StartsWith("kith ", StringComparison.Ordinal))
            {
                return organization["kith ".Length..];
            }
        }

        return null;
    }

    /// <summary>
    /// The state and publisher PEM of an envelope, without verifying anything: only for a copy this process
    /// wrote or accepted itself. Null when it does not decode.
    /// </summary>
    internal static (FleetState State, string Publisher)? ReadTrusted(ReadOnlySpan<byte> envelope)
    {
        try
        {
            var document = JsonSerializer.Deserialize(envelope, FleetStateJson.Default.SignedFleetState);
            if (document is null)
            {
                return null;
            }

            var state = JsonSerializer.Deserialize(Convert.FromBase64String(document.Payload), FleetStateJson.Default.FleetState);
            return state is null ? null : (state, document.Publisher);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private static string? AuthorizationProblem(X509Certificate2 publisher)
    {
        if (!PublisherCertificate.HasPublisherUsage(publisher))
        {
            return $"the publisher certificate lacks kith's fleet-state EKU {PublisherCertificate.ExtendedKeyUsage}";
        }

        using (var key = publisher.GetECDsaPublicKey())
        {
            if (key is null || key.KeySize != 256)
            {
                return "the publisher key is not ECDSA P-256";
            }
        }

        foreach (var extension in publisher.Extensions)
        {
            if (extension is X509BasicConstraintsExtension { CertificateAuthority: true })
            {
                return "the publisher certificate is a CA";
            }

            if (extension is X509KeyUsageExtension usage && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
            {
                return "the publisher certificate's key usage lacks digitalSignature";
            }
        }

        return null;
    }

    private static bool TryDecode(
        ReadOnlySpan<byte> envelope,
        out byte[] payload,
        out byte[] signature,
        out X509Certificate2 publisher,
        out string problem)
    {
        payload = [];
        signature = [];
        publisher = null!;
        SignedFleetState? document;
        try
        {
            document = JsonSerializer.Deserialize(envelope, FleetStateJson.Default.SignedFleetState);
        }
        catch (JsonException e)
        {
            problem = $"not a signed fleet state: {e.Message}";
            return false;
        }

        if (document is null)
        {
            problem = "not a signed fleet state: null";
            return false;
        }

        try
        {
            payload = Convert.FromBase64String(document.Payload);
            signature = Convert.FromBase64String(document.Signature);
        }
        catch (FormatException)
        {
            problem = "payload or signature is not base64";
            return false;
        }

        try
        {
            var blocks = Pem.Decode(document.Publisher, "publisher").Where(b => b.Label == "CERTIFICATE").ToList();
            if (blocks.Count != 1)
            {
                problem = $"publisher must hold exactly one certificate, it holds {blocks.Count}";
                return false;
            }

            publisher = X509CertificateLoader.LoadCertificate(blocks[0].Der);
        }
        catch (Exception e) when (e is KithException or CryptographicException)
        {
            problem = $"publisher is not a certificate: {e.Message}";
            return false;
        }

        problem = "";
        return true;
    }

    private static FleetStateVerdict.Refused Refuse(FleetStateRefusal reason, string detail) => new(reason, detail);
}
