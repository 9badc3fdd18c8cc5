using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.Pki;

namespace Kith.Fleet;

/// <summary>Signs a fleet state with the publisher key into the envelope agents verify.</summary>
public static class FleetStateSigner
{
    /// <summary>The exact payload bytes: compact UTF-8 JSON of the state.</summary>
    public static byte[] Serialize(FleetState state) => JsonSerializer.SerializeToUtf8Bytes(state, FleetStateJson.Default.FleetState);

    public static SignedFleetState Sign(FleetState state, ECDsa publisherKey, X509Certificate2 publisherCertificate)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(publisherKey);
        ArgumentNullException.ThrowIfNull(publisherCertificate);
        var payload = Serialize(state);
        var signature = publisherKey.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return new SignedFleetState(
            Convert.ToBase64String(payload),
            Convert.ToBase64String(signature),
            Pem.Encode("CERTIFICATE", publisherCertificate.RawData));
    }

    /// <summary>The envelope as written to disk and sent over the wire: indented UTF-8 JSON and a newline.</summary>
    public static byte[] Encode(SignedFleetState envelope)
    {
        var options = new JsonSerializerOptions(FleetStateJson.Default.Options) { WriteIndented = true };
        var context = new FleetStateJson(options);
        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, context.SignedFleetState);
        return [.. json, (byte)'\n'];
    }
}
