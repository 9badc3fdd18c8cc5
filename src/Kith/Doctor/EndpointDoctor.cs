using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Doctor;

/// <summary>How to reach the endpoints, and whom to ask.</summary>
/// <param name="DnsServers">The fleet DNS servers; empty = the fleet DNS check is skipped.</param>
/// <param name="Connect">Connect here instead of the resolved address (<c>--connect</c>).</param>
/// <param name="Port">The HTTPS port (<c>--port</c>, else the inventory's proxy.https_port).</param>
/// <param name="Root">The kith Root the chain must lead to.</param>
public sealed record DoctorSettings(IReadOnlyList<IPEndPoint> DnsServers, IPAddress? Connect, int Port, X509Certificate2 Root, DoctorContext Context);

/// <summary>
/// Runs the checks for one endpoint in order (fleet DNS, resolver, TCP, TLS, chain, name, expiry, OCSP, ALPN),
/// skipping what an earlier failure makes pointless, asks the issuing agent when the diagnosis needs its word,
/// and diagnoses (docs/doctor.md).
/// </summary>
public sealed class EndpointDoctor(DoctorSettings settings, Func<DoctorTarget, CancellationToken, Task<AgentAnswer>> askAgent, Func<IReadOnlyList<string>, string?> ownerOfNames)
{
    public async Task<EndpointReport> CheckAsync(DoctorTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var timeout = settings.Context.Timeout;
        var checks = new List<CheckResult>();
        var fleet = await FleetDnsCheck.LookUpAsync(target.Name, settings.DnsServers, timeout, cancellationToken).ConfigureAwait(false);
        checks.Add(DnsResult(DoctorCheck.FleetDns, fleet, null));
        var system = await SystemResolverCheck.LookUpAsync(target.Name, timeout, cancellationToken).ConfigureAwait(false);
        var otherWay = fleet.Outcome == DnsOutcome.Found
            ? "the fleet DNS does: point this machine's resolver at it, see `kith dns resolver`"
            : settings.Connect is { } connect ? $"connecting to --connect {connect} instead" : null;
        checks.Add(DnsResult(DoctorCheck.SystemResolver, system, otherWay));

        var address = settings.Connect ?? fleet.Addresses.FirstOrDefault() ?? system.Addresses.FirstOrDefault();
        var facts = new EndpointFacts(target, fleet, system, null, null, null, false, null, null, null, settings.Context);
        if (address is null)
        {
            SkipFrom(checks, DoctorCheck.Tcp, "no address to connect to (give one with --connect)");
            return Report(facts, checks);
        }

        var endpoint = new IPEndPoint(address, settings.Port);
        var tcp = await TcpConnectCheck.ConnectAsync(endpoint, timeout, cancellationToken).ConfigureAwait(false);
        facts = facts with { Tcp = tcp };
        if (tcp.Outcome != TcpOutcome.Connected)
        {
            checks.Add(CheckResult.Fail(DoctorCheck.Tcp, tcp.Detail));
            SkipFrom(checks, DoctorCheck.Tls, "no connection");
            return Report(facts, checks);
        }

        checks.Add(CheckResult.Ok(DoctorCheck.Tcp, tcp.Detail));
        var tls = await TlsHandshakeCheck.HandshakeAsync(endpoint, target.Name, timeout, cancellationToken).ConfigureAwait(false);
        facts = facts with { Tls = tls };
        if (tls.Outcome != TlsOutcome.Completed || tls.Leaf is not { } leaf)
        {
            checks.Add(CheckResult.Fail(DoctorCheck.Tls, tls.Outcome == TlsOutcome.Completed ? "the server sent no certificate" : tls.Detail));
            SkipFrom(checks, DoctorCheck.Chain, "no TLS handshake");
            return await DiagnoseAsync(facts, checks, cancellationToken).ConfigureAwait(false);
        }

        checks.Add(CheckResult.Ok(DoctorCheck.Tls, tls.Detail));
        var certificate = CertificateFacts.Of(tls.Chain, settings.Root);
        var name = CertificateChecks.Name(leaf, certificate, target.Name);
        checks.Add(CertificateChecks.Chain(certificate));
        checks.Add(name);
        checks.Add(CertificateChecks.Expiry(certificate, settings.Context.RenewAt, settings.Context.Now));
        var ocsp = certificate.ChainsToRoot
            ? await OcspCheck.AskAsync(tls.Chain, timeout, settings.Context.Now, cancellationToken).ConfigureAwait(false)
            : new OcspStatus(CheckResult.Skipped(DoctorCheck.Ocsp, "not asked: the certificate is not from the kith Root"), null);
        checks.Add(ocsp.Result);
        checks.Add(CertificateChecks.Alpn(tls));
        var nameMatches = name.Status == CheckStatus.Ok;
        facts = facts with
        {
            Certificate = certificate,
            NameMatches = nameMatches,
            Ocsp = ocsp,
            ServedNamesOwner = nameMatches ? null : ownerOfNames(certificate.DnsNames),
        };
        return await DiagnoseAsync(facts, checks, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EndpointReport> DiagnoseAsync(EndpointFacts facts, List<CheckResult> checks, CancellationToken cancellationToken)
    {
        if (DoctorDiagnosis.NeedsAgent(facts))
        {
            facts = facts with { Agent = await askAgent(facts.Target, cancellationToken).ConfigureAwait(false) };
        }

        return Report(facts, checks);
    }

    private static EndpointReport Report(EndpointFacts facts, List<CheckResult> checks) => new(facts.Target, checks, DoctorDiagnosis.Causes(facts));

    /// <summary>
    /// A lookup that finds nothing fails, unless the address comes another way (<paramref name="otherWay"/>: the
    /// fleet DNS knows the name and this machine just does not ask it, or --connect names the address): a warning.
    /// </summary>
    private static CheckResult DnsResult(string check, DnsLookup lookup, string? otherWay) => lookup.Outcome switch
    {
        DnsOutcome.Found => CheckResult.Ok(check, lookup.Detail),
        DnsOutcome.NotAsked => CheckResult.Skipped(check, lookup.Detail),
        _ when otherWay is not null => CheckResult.Warn(check, $"{lookup.Detail} ({otherWay})"),
        _ => CheckResult.Fail(check, lookup.Detail),
    };

    private static void SkipFrom(List<CheckResult> checks, string first, string why)
    {
        var start = DoctorCheck.All.ToList().IndexOf(first);
        checks.AddRange(DoctorCheck.All.Skip(start).Select(c => CheckResult.Skipped(c, why)));
    }
}
