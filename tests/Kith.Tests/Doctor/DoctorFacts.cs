using System.Net;
using Kith.Doctor;

namespace Kith.Tests.Doctor;

/// <summary>Facts as the checks would have seen them, for the diagnosis rules: a healthy endpoint, and ways to break it.</summary>
internal static class DoctorFacts
{
    public static readonly DateTimeOffset Now = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    public static readonly DoctorTarget Music = new("music.home.arpa", "navidrome", "storage", InFleetZone: true);

    public static readonly IPEndPoint Server = new(IPAddress.Parse("100.64.0.10"), 443);

    public static DoctorContext Context { get; } = new("/etc/kith/kith.yaml", ["home.arpa"], ["gateway"], 2.0 / 3.0, TimeSpan.FromSeconds(5), Now);

    /// <summary>A kith leaf for music.home.arpa, 7 days from 2026-06-08 12:00 (renewal point 2026-06-13 04:00).</summary>
    public static CertificateFacts Leaf { get; } = new(
        ["music.home.arpa"],
        "CN=music.home.arpa",
        "O=kith home.arpa, CN=kith Host CA storage",
        "0a1b2c",
        SelfSigned: false,
        new DateTimeOffset(2026, 6, 8, 12, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero),
        ChainsToRoot: true,
        ChainProblem: null,
        "O=kith home.arpa, CN=kith Host CA storage",
        new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero),
        IntermediatesSent: true);

    public static EndpointFacts Healthy(DoctorTarget? target = null) => new(
        target ?? Music,
        new DnsLookup(DnsOutcome.Found, [Server.Address], "100.64.0.10"),
        new DnsLookup(DnsOutcome.Found, [Server.Address], "100.64.0.10"),
        new TcpConnect(TcpOutcome.Connected, Server, "connected"),
        new TlsHandshake(TlsOutcome.Completed, [], "TLS 1.3", "h2", null, "TLS 1.3"),
        Leaf,
        NameMatches: true,
        new OcspStatus(CheckResult.Ok(DoctorCheck.Ocsp, "good"), null),
        Agent: null,
        ServedNamesOwner: null,
        Context);

    /// <summary>The server answered the ClientHello with <paramref name="alert"/>: no certificate was seen.</summary>
    public static EndpointFacts Alert(string alert, AgentAnswer? agent, DoctorTarget? target = null) => Healthy(target) with
    {
        Tls = new TlsHandshake(TlsOutcome.Alert, [], null, null, alert, $"alert {alert}"),
        Certificate = null,
        NameMatches = false,
        Ocsp = null,
        Agent = agent,
    };

    public static EndpointFacts MissingFromFleetDns(DoctorTarget target) => Healthy(target) with
    {
        FleetDns = new DnsLookup(DnsOutcome.NoSuchName, [], "NXDOMAIN"),
        SystemDns = new DnsLookup(DnsOutcome.NoSuchName, [], "unknown"),
        Tcp = null,
        Tls = null,
        Certificate = null,
        NameMatches = false,
        Ocsp = null,
    };

    public static AgentAnswer Reachable(string status, DateTimeOffset? notAfter, string? detail = null) =>
        new("storage", AgentReach.Reachable, "https://storage.home.arpa:8555/healthz", null, new AgentEndpoint(status, notAfter, "/var/lib/kith/music", detail), 12);
}
