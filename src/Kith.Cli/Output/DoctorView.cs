using System.Globalization;
using Kith.Doctor;

namespace Kith.Cli.Output;

/// <summary>Shows <c>kith doctor</c>: per endpoint one row per check, then its causes; or the same as JSON.</summary>
internal static class DoctorView
{
    public static void Write(TextWriter output, IReadOnlyList<EndpointReport> reports, bool json)
    {
        if (json)
        {
            var endpoints = reports.Select(r => new DoctorEndpointJson(
                r.Target.Name,
                r.Target.Service,
                r.Target.Machine,
                !r.Failed,
                [.. r.Checks.Select(c => new DoctorCheckJson(c.Check, c.Status.ToString().ToLowerInvariant(), c.Detail))],
                r.Causes)).ToList();
            JsonOutput.Write(output, new DoctorJson(reports.All(r => !r.Failed), endpoints), KithJsonContext.Default.DoctorJson);
            return;
        }

        foreach (var report in reports)
        {
            output.WriteLine($"{report.Target.Name} ({report.Target.Owner})");
            var table = new TextTable("  CHECK", "STATUS", "DETAIL");
            foreach (var check in report.Checks)
            {
                table.Add($"  {check.Check}", Word(check.Status), check.Detail);
            }

            table.WriteTo(output);
            foreach (var cause in report.Causes)
            {
                output.WriteLine($"  cause: {cause}");
            }

            output.WriteLine();
        }

        var failing = reports.Count(r => r.Failed);
        var warning = reports.Count(r => !r.Failed && r.Checks.Any(c => c.Status == CheckStatus.Warn));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{reports.Count} endpoint(s): {reports.Count - failing} ok ({warning} with warnings), {failing} failing"));
    }

    /// <summary>FAIL in capitals: the one word a reader's eye must find in the table.</summary>
    private static string Word(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "ok",
        CheckStatus.Warn => "warn",
        CheckStatus.Fail => "FAIL",
        _ => "skipped",
    };
}
