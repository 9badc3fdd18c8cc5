namespace Kith.Cli.Output;

/// <summary><c>kith doctor --json</c>.</summary>
/// <param name="Ok">The exit code's verdict: true means exit 0 (no check failed).</param>
public sealed record DoctorJson(bool Ok, IReadOnlyList<DoctorEndpointJson> Endpoints);

/// <summary>One endpoint in <c>kith doctor --json</c>.</summary>
/// <param name="Service">The service whose certificate carries the name; null when the inventory lacks it.</param>
/// <param name="Causes">One plain-words cause per failure, with what to do.</param>
public sealed record DoctorEndpointJson(string Name, string? Service, string? Machine, bool Ok, IReadOnlyList<DoctorCheckJson> Checks, IReadOnlyList<string> Causes);

/// <summary>One check: its name (fleet-dns, resolver, tcp, tls, chain, name, expiry, ocsp, alpn) and status (ok, warn, fail, skipped).</summary>
public sealed record DoctorCheckJson(string Check, string Status, string Detail);
