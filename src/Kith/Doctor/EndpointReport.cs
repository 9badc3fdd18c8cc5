namespace Kith.Doctor;

/// <summary>One endpoint's result: every check in <see cref="DoctorCheck.All"/> order, and the causes of its failures.</summary>
public sealed record EndpointReport(DoctorTarget Target, IReadOnlyList<CheckResult> Checks, IReadOnlyList<string> Causes)
{
    public bool Failed => Checks.Any(c => c.Status == CheckStatus.Fail);
}
