namespace Kith.Doctor;

/// <summary>How one check of one endpoint came out.</summary>
public enum CheckStatus
{
    Ok,

    /// <summary>Works, but something needs a look (past the renewal point, OCSP unreachable, no HTTP/2).</summary>
    Warn,

    /// <summary>Broken: the endpoint does not work for a client that trusts only the kith Root.</summary>
    Fail,

    /// <summary>Not run: an earlier check failed, or there is nothing to check (no fleet DNS, no OCSP URL).</summary>
    Skipped,
}

/// <summary>One check's outcome and what it saw, in words (docs/doctor.md, "Checks").</summary>
/// <param name="Check">One of <see cref="DoctorCheck"/>'s names.</param>
public sealed record CheckResult(string Check, CheckStatus Status, string Detail)
{
    public static CheckResult Ok(string check, string detail) => new(check, CheckStatus.Ok, detail);

    public static CheckResult Warn(string check, string detail) => new(check, CheckStatus.Warn, detail);

    public static CheckResult Fail(string check, string detail) => new(check, CheckStatus.Fail, detail);

    public static CheckResult Skipped(string check, string detail) => new(check, CheckStatus.Skipped, detail);
}

/// <summary>The checks' names, in the order they run and are shown.</summary>
public static class DoctorCheck
{
    public const string FleetDns = "fleet-dns";
    public const string SystemResolver = "resolver";
    public const string Tcp = "tcp";
    public const string Tls = "tls";
    public const string Chain = "chain";
    public const string Name = "name";
    public const string Expiry = "expiry";
    public const string Ocsp = "ocsp";
    public const string Alpn = "alpn";

    public static IReadOnlyList<string> All { get; } = [FleetDns, SystemResolver, Tcp, Tls, Chain, Name, Expiry, Ocsp, Alpn];
}
