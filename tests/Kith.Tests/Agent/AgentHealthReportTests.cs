using System.Text.Json;
using Kith.Agent;
using Kith.Fleet;

namespace Kith.Tests.Agent;

/// <summary>The /healthz rule per endpoint: failing, expiring (less than a third of the lifetime left), pending, ok.</summary>
public sealed class AgentHealthReportTests
{
    private static readonly DateTimeOffset NotBefore = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = NotBefore.AddDays(9); // a third of the lifetime is 3 days
    private static readonly FleetEndpoint Web = new("web", ["web.home.arpa"], "server", Folder: "/var/lib/acme/web");

    [Fact]
    public void An_endpoint_no_pass_has_handled_is_pending()
    {
        var health = AgentHealthReport.Classify(Web, null, NotBefore);

        Assert.Equal(EndpointStatus.Pending, health.Status);
        Assert.Equal("/var/lib/acme/web", health.Folder);
        Assert.Null(health.NotAfter);
    }

    [Fact]
    public void A_pending_endpoint_without_files_dir_names_the_default_folder()
    {
        var health = AgentHealthReport.Classify(new FleetEndpoint("any", ["*.home.arpa"], "server"), null, NotBefore);

        Assert.Equal("/var/lib/acme/_.home.arpa", health.Folder);
    }

    [Fact]
    public void A_certificate_with_more_than_a_third_of_its_lifetime_left_is_ok_and_with_less_it_is_expiring()
    {
        var last = OnDisk();
        var renewalMark = NotAfter.AddDays(-3);

        var ok = AgentHealthReport.Classify(Web, last, renewalMark.AddSeconds(-1));
        var expiring = AgentHealthReport.Classify(Web, last, renewalMark.AddSeconds(1));

        Assert.Equal(EndpointStatus.Ok, ok.Status);
        Assert.Null(ok.Detail);
        Assert.Equal(NotAfter, ok.NotAfter);
        Assert.Equal("0a1b", ok.Serial);
        Assert.Equal(EndpointStatus.Expiring, expiring.Status);
        Assert.Contains("renewal overdue", expiring.Detail, StringComparison.Ordinal);
        Assert.Contains("3 days", expiring.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_of_the_last_pass_is_failing_with_its_reason_and_retry_time_even_with_a_current_certificate()
    {
        var retry = NotBefore.AddHours(1);
        var health = AgentHealthReport.Classify(Web, OnDisk() with { Failure = "reload failed: false: exit code 1", RetryAt = retry }, NotBefore.AddMinutes(1));

        Assert.Equal(EndpointStatus.Failing, health.Status);
        Assert.Equal("reload failed: false: exit code 1", health.Detail);
        Assert.Equal(retry, health.RetryAt);
    }

    [Fact]
    public void An_expired_certificate_is_failing_and_keeps_the_last_failure_as_its_cause()
    {
        var plain = AgentHealthReport.Classify(Web, OnDisk(), NotAfter);
        var withCause = AgentHealthReport.Classify(Web, OnDisk() with { Failure = "Host CA expired" }, NotAfter.AddDays(1));

        Assert.Equal(EndpointStatus.Failing, plain.Status);
        Assert.Contains("expired at 2026-11-10 00:00Z", plain.Detail, StringComparison.Ordinal);
        Assert.Equal(EndpointStatus.Failing, withCause.Status);
        Assert.EndsWith("last failure: Host CA expired", withCause.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pass_that_left_no_readable_certificate_is_failing()
    {
        var health = AgentHealthReport.Classify(Web, new EndpointSnapshot("/var/lib/acme/web", null, null, null), NotBefore);

        Assert.Equal(EndpointStatus.Failing, health.Status);
        Assert.Contains("no readable certificate", health.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_lists_this_machines_endpoints_and_is_unhealthy_only_when_one_fails_or_the_pass_failed()
    {
        var api = new FleetEndpoint("api", ["api.home.arpa"], "server");
        var state = State(new FleetMachine("alpha", [], [], [], [Web, api]), new FleetMachine("beta", [], [], [], [new FleetEndpoint("db", ["db.home.arpa"], "server")]));
        var now = NotBefore.AddDays(7); // web has 2 of 9 days left: expiring; api is not in the pass: pending
        var pass = new ReconcileSnapshot(now.AddMinutes(-1), 4, new Dictionary<string, EndpointSnapshot> { ["web"] = OnDisk() });

        var report = AgentHealthReport.Build("alpha", "home.arpa", NotAfter.AddDays(300), state, pass, now);
        var failing = AgentHealthReport.Build("alpha", "home.arpa", NotAfter.AddDays(300), state, pass with { Endpoints = new Dictionary<string, EndpointSnapshot> { ["web"] = OnDisk() with { Failure = "disk full" } } }, now);
        var passFailed = AgentHealthReport.Build("alpha", "home.arpa", NotAfter.AddDays(300), state, pass with { Error = "host-ca.key unreadable" }, now);

        Assert.Equal("ok", report.Status);
        Assert.Equal(4, report.StateVersion);
        Assert.Equal(now.AddMinutes(-1), report.LastReconcile);
        Assert.Equal(["web", "api"], report.Endpoints!.Select(e => e.Service));
        Assert.Equal([EndpointStatus.Expiring, EndpointStatus.Pending], report.Endpoints!.Select(e => e.Status));
        Assert.True(report.Healthy);
        Assert.False(failing.Healthy);
        Assert.False(passFailed.Healthy);
        Assert.Equal("host-ca.key unreadable", passFailed.LastReconcileError);
    }

    [Fact]
    public void Before_any_state_the_report_has_no_endpoints_and_writes_null_versions_and_lower_case_statuses()
    {
        var empty = AgentHealthReport.Build("alpha", "home.arpa", NotAfter, null, null, NotBefore);
        var withEndpoint = AgentHealthReport.Build("alpha", "home.arpa", NotAfter, State(new FleetMachine("alpha", [], [], [], [Web])), null, NotBefore);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(empty, AgentJson.Default.AgentHealth));
        Assert.True(empty.Healthy);
        Assert.Empty(empty.Endpoints!);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("state_version").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("last_reconcile").ValueKind);
        Assert.True(json.RootElement.GetProperty("healthy").GetBoolean());
        Assert.Contains("\"status\":\"pending\"", JsonSerializer.Serialize(withEndpoint, AgentJson.Default.AgentHealth), StringComparison.Ordinal);
    }

    private static EndpointSnapshot OnDisk() => new("/srv/root/var/lib/acme/web", NotBefore, NotAfter, "0a1b");

    private static FleetState State(params FleetMachine[] machines) =>
        new(4, "home.arpa", NotBefore, machines, [], [], null, string.Empty);
}
