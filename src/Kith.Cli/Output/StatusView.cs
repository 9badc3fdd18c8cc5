using System.Globalization;
using Kith.Agent;
using Kith.Cli.Commands;

namespace Kith.Cli.Output;

/// <summary>Shows <c>kith status</c>: one row per machine, then one line per problem; or the same as JSON.</summary>
internal static class StatusView
{
    public static void Write(TextWriter output, StatusReport report, bool json, DateTimeOffset now)
    {
        var ok = report.IsOk(now);
        if (json)
        {
            var machines = report.Machines.Select(m => new MachineStatusJson(
                m.Machine,
                m.Agent.Replace(' ', '_'),
                m.Url?.ToString(),
                m.Detail,
                m.Health?.StateVersion,
                m.Behind,
                m.HostCaNotAfter,
                m.HostCaDaysLeft(now),
                m.HostCaSource,
                m.Health?.Healthy,
                m.Health?.LastReconcile,
                m.Health?.LastReconcileError,
                m.Endpoints,
                m.IsOk(now))).ToList();
            JsonOutput.Write(output, new StatusJson(report.LatestVersion, ok, machines), KithJsonContext.Default.StatusJson);
            return;
        }

        var table = new TextTable("MACHINE", "AGENT", "STATE", "HOST CA", "ENDPOINTS");
        foreach (var machine in report.Machines)
        {
            table.Add(machine.Machine, AgentCell(machine), StateCell(machine), HostCaCell(machine, now), EndpointsCell(machine));
        }

        table.WriteTo(output);
        foreach (var line in report.Machines.SelectMany(m => Problems(m, now)))
        {
            output.WriteLine(line);
        }

        var enrolled = report.Machines.Where(m => m.Agent != MachineStatus.NoAgent).ToList();
        var endpoints = enrolled.SelectMany(m => m.Endpoints).ToList();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{report.Machines.Count} machine(s): {enrolled.Count(m => m.Agent == "reachable")} of {enrolled.Count} agent(s) reachable; {endpoints.Count(e => e.Status == EndpointStatus.Failing)} endpoint(s) failing, {endpoints.Count(e => e.Status == EndpointStatus.Expiring)} expiring{(report.LatestVersion is { } latest ? $"; latest fleet state version {latest}" : "; no fleet state written yet")}"));
    }

    private static string AgentCell(MachineStatus machine) => machine.Agent switch
    {
        "unreachable" => $"unreachable: {machine.Detail}",
        _ => machine.Agent,
    };

    private static string StateCell(MachineStatus machine)
    {
        if (machine.Health is not { } health)
        {
            return "-";
        }

        var version = health.StateVersion?.ToString(CultureInfo.InvariantCulture) ?? "none";
        return machine.Behind ? $"{version}, behind (latest {machine.LatestVersion})" : version;
    }

    private static string HostCaCell(MachineStatus machine, DateTimeOffset now)
    {
        if (machine.HostCaNotAfter is not { } notAfter)
        {
            return "-";
        }

        var days = machine.HostCaDaysLeft(now)!.Value;
        var left = days < 0 ? "expired" : days < MachineStatus.HostCaWarningDays ? $"{days}d left, renew" : $"{days}d";
        return string.Create(CultureInfo.InvariantCulture, $"{notAfter.UtcDateTime:yyyy-MM-dd} ({left})");
    }

    private static string EndpointsCell(MachineStatus machine)
    {
        if (machine.Health is null)
        {
            return "-";
        }

        var counts = new[] { EndpointStatus.Ok, EndpointStatus.Expiring, EndpointStatus.Failing, EndpointStatus.Pending }
            .Select(s => (Status: s, Count: machine.Endpoints.Count(e => e.Status == s)))
            .Where(c => c.Count > 0)
            .Select(c => $"{c.Count} {c.Status.ToString().ToLowerInvariant()}")
            .ToList();
        return counts.Count == 0 ? "none" : string.Join(", ", counts);
    }

    /// <summary>One line per thing to look at: an untrusted agent, a failing or expiring endpoint, a failed pass, a Host CA near its end.</summary>
    private static IEnumerable<string> Problems(MachineStatus machine, DateTimeOffset now)
    {
        if (machine.Agent == "untrusted")
        {
            yield return $"{machine.Machine}: agent untrusted ({machine.Url}): {machine.Detail}";
        }

        foreach (var endpoint in machine.Endpoints.Where(e => e.Status is EndpointStatus.Failing or EndpointStatus.Expiring))
        {
            var retry = endpoint.RetryAt is { } at ? string.Create(CultureInfo.InvariantCulture, $"; retry at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z") : string.Empty;
            yield return $"{machine.Machine}/{endpoint.Service}: {endpoint.Status.ToString().ToLowerInvariant()}: {endpoint.Detail}{retry}";
        }

        if (machine.Health?.LastReconcileError is { } error)
        {
            yield return $"{machine.Machine}: the last reconcile pass failed: {error}";
        }

        if (machine.HostCaDaysLeft(now) is { } days && days < MachineStatus.HostCaWarningDays)
        {
            var when = days < 0 ? "has expired" : $"expires in {days} day(s)";
            yield return string.Create(CultureInfo.InvariantCulture, $"{machine.Machine}: Host CA {when} ({machine.HostCaNotAfter!.Value.UtcDateTime:yyyy-MM-dd}); run `kith apply` to renew it, then `kith publish`");
        }
    }
}
