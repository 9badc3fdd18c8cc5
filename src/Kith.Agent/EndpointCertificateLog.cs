using System.Security.Cryptography.X509Certificates;
using Kith.Fleet;
using Kith.Pki;
using Kith.Reconcile;
using Kith.Storage;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// Logs the endpoint certificates a reconcile pass issued into the agent's issuance log (&lt;dir&gt;/kith.db),
/// as the ACME server does for its own: so <c>kith revoke --dir</c> finds them by serial or name and the CRL
/// and OCSP know them.
/// </summary>
internal static partial class EndpointCertificateLog
{
    public static async Task RecordAsync(ICertificateStore store, string machine, FleetState state, ReconcileResult result, ILogger logger, CancellationToken cancellationToken)
    {
        var endpoints = state.Machines.FirstOrDefault(m => string.Equals(m.Name, machine, StringComparison.Ordinal))?.Endpoints ?? [];
        foreach (var outcome in result.Endpoints)
        {
            if (outcome.Action is not (EndpointAction.Issued or EndpointAction.Renewed) || outcome.Serial is null)
            {
                continue;
            }

            try
            {
                var der = Pem.ReadCertificates(Path.Combine(outcome.Folder, "cert.pem"))[0];
                using var certificate = X509CertificateLoader.LoadCertificate(der);
                var serial = certificate.SerialNumber.ToLowerInvariant();
                if (serial != outcome.Serial)
                {
                    continue; // replaced on disk since: that one is logged by whoever wrote it
                }

                var kind = endpoints.FirstOrDefault(e => e.Service == outcome.Service)?.Kind switch
                {
                    "client" => CertificateKind.Client,
                    "both" => CertificateKind.Both,
                    _ => CertificateKind.Server,
                };
                var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
                IReadOnlyList<string> names = san is null ? [] : [.. san.EnumerateDnsNames(), .. san.EnumerateIPAddresses().Select(a => a.ToString())];
                await store.RecordAsync(
                    [new CertificateRecord(machine, serial, kind, names, machine, outcome.Service, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), Der: der)],
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DuplicateSerialException)
            {
                // Already logged (a pass that failed after recording).
            }
            catch (Exception e) when (e is KithException or IOException or UnauthorizedAccessException
                or System.Security.Cryptography.CryptographicException or Microsoft.Data.Sqlite.SqliteException)
            {
                LogNotRecorded(logger, outcome.Service, outcome.Serial, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "endpoint {Service}: certificate {Serial} is not in the issuance log ({Error}); kith revoke --dir cannot find it by name")]
    private static partial void LogNotRecorded(ILogger logger, string service, string serial, string error);
}
