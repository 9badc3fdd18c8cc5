using System.Net;
using Kith.Agent;
using Kith.Fleet;

namespace Kith.Tests.Agent;

public sealed class AgentOptionsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("kith-agent-options-").FullName;

    [Fact]
    public void The_config_file_gives_machine_dir_listen_and_lifetime_and_flags_win_over_it()
    {
        var config = Write("agent.yaml", """
            machine: alpha
            dir: /srv/kith-agent
            listen: ["192.0.2.1:8555", "[::1]:9555"]
            certificate_lifetime_hours: 24
            reconcile_interval_seconds: 60
            leaf_validity_minutes: 1440
            files_root: /srv/staging
            manifest_path: /srv/kith-agent/managed.manifest
            peer_sync: false
            peer_port: 9555
            peer_interval_seconds: 30
            peers: ["https://alpha.home.arpa:8555", "beta=https://192.0.2.2:8556"]
            remove_departed: false
            log_format: json
            """);

        var fromFile = AgentOptions.Load(config, null, null);

        Assert.Equal("alpha", fromFile.Machine);
        Assert.Equal("/srv/kith-agent", fromFile.Dir);
        Assert.Equal([IPEndPoint.Parse("192.0.2.1:8555"), IPEndPoint.Parse("[::1]:9555")], fromFile.Listen);
        Assert.Equal(TimeSpan.FromHours(24), fromFile.CertificateLifetime);
        Assert.Equal(TimeSpan.FromSeconds(60), fromFile.ReconcileInterval);
        Assert.Equal(TimeSpan.FromDays(1), fromFile.LeafValidity);
        Assert.Equal("/srv/staging", fromFile.FilesRoot);
        Assert.Equal("/srv/kith-agent/managed.manifest", fromFile.EffectiveManifestPath);
        Assert.False(fromFile.PeerSync);
        Assert.Equal(9555, fromFile.PeerPort);
        Assert.Equal(TimeSpan.FromSeconds(30), fromFile.PeerInterval);
        Assert.Equal(
            [
                new ConfiguredPeer("https://alpha.home.arpa:8555", null, "alpha.home.arpa", 8555, null),
                new ConfiguredPeer("beta=https://192.0.2.2:8556", "beta", "192.0.2.2", 8556, IPAddress.Parse("192.0.2.2")),
            ],
            fromFile.Peers);
        Assert.False(fromFile.RemoveDeparted);
        Assert.True(fromFile.JsonLogs);

        var flags = AgentOptions.Load(config, Path.Combine(folder, "other"), ["127.0.0.1:1234"]);

        Assert.Equal(Path.Combine(folder, "other"), flags.Dir);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:1234")], flags.Listen);
    }

    [Fact]
    public void A_single_listen_value_and_an_empty_file_are_fine()
    {
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:8555")], AgentOptions.Load(Write("one.yaml", "listen: 10.0.0.1:8555\n"), null, null).Listen);

        var empty = AgentOptions.Load(Write("empty.yaml", string.Empty), folder, null);

        Assert.Null(empty.Machine);
        Assert.Equal([IPEndPoint.Parse(AgentOptions.DefaultListen)], empty.Listen);
        Assert.Equal(AgentOptions.DefaultCertificateLifetime, empty.CertificateLifetime);
        Assert.Equal(TimeSpan.FromSeconds(300), empty.ReconcileInterval);
        Assert.Null(empty.LeafValidity); // no override: the fleet state's leaf_validity_seconds applies
        Assert.Equal("/", empty.FilesRoot);
        Assert.Equal(Path.Combine(folder, "endpoints.manifest"), empty.EffectiveManifestPath);
        Assert.True(empty.PeerSync);
        Assert.Equal(8555, empty.PeerPort);
        Assert.Equal(TimeSpan.FromSeconds(60), empty.PeerInterval);
        Assert.Empty(empty.Peers);
        Assert.True(empty.RemoveDeparted);
        Assert.False(empty.JsonLogs);
    }

    [Theory]
    [InlineData("port: 8555\n", "unknown key 'port'")]
    [InlineData("listen: [localhost:8555]\n", "localhost:8555")]
    [InlineData("listen: [127.0.0.1]\n", "ADDRESS:PORT")]
    [InlineData("listen: ['::1:8555']\n", "ADDRESS:PORT")]
    [InlineData("machine: [a, b]\n", "single value")]
    [InlineData("certificate_lifetime_hours: 0\n", "between 1 and 2160")]
    [InlineData("reconcile_interval_seconds: 0\n", "between 1 and 86400")]
    [InlineData("leaf_validity_minutes: 0\n", "leaf_validity_minutes must be a whole number of minutes between 1 and 129600")]
    [InlineData("leaf_validity_minutes: 7d\n", "leaf_validity_minutes")]
    [InlineData("files_root: staging\n", "absolute path")]
    [InlineData("manifest_path: m.manifest\n", "absolute path")]
    [InlineData("peer_sync: maybe\n", "peer_sync must be true or false")]
    [InlineData("remove_departed: yes\n", "remove_departed must be true or false")]
    [InlineData("log_format: logfmt\n", "log_format must be text or json")]
    [InlineData("peer_port: 0\n", "between 1 and 65535")]
    [InlineData("peer_port: 70000\n", "between 1 and 65535")]
    [InlineData("peer_interval_seconds: 0\n", "peer_interval_seconds must be a whole number of seconds between 1 and 86400")]
    [InlineData("peer_interval_seconds: 86401\n", "between 1 and 86400")]
    [InlineData("peers: [http://alpha.home.arpa:8555]\n", "not https://HOST:PORT or MACHINE=https://IP:PORT")]
    [InlineData("peers: [alpha.home.arpa:8555]\n", "not https://HOST:PORT")]
    [InlineData("peers: ['https://alpha.home.arpa:8555/state']\n", "not https://HOST:PORT")]
    [InlineData("peers: ['https://192.0.2.1:8555']\n", "write it as MACHINE=https://192.0.2.1:8555")]
    [InlineData("peers: ['Al_pha=https://192.0.2.1:8555']\n", "not a machine name")]
    [InlineData("peers: ['alpha=https://alpha.home.arpa:8555']\n", "the MACHINE= form takes an IP address")]
    [InlineData("revocation_listen: [localhost:8580]\n", "revocation_listen address 'localhost:8580' is not ADDRESS:PORT")]
    [InlineData("revocation_listen: 8580\n", "revocation_listen address '8580' is not ADDRESS:PORT")]
    [InlineData("- a\n- b\n", "mapping")]
    [InlineData("machine: 'open\n", "not valid YAML")]
    public void A_bad_config_is_refused_with_what_is_wrong(string text, string mention)
    {
        var error = Assert.Throws<KithException>(() => AgentOptions.Load(Write("bad.yaml", text), null, null));

        Assert.Contains(mention, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Revocation_listens_by_default_on_every_listen_address_at_port_8580_and_an_empty_list_turns_it_off()
    {
        var defaults = AgentOptions.Load(Write("default.yaml", "listen: [10.0.0.1:8555, '[::1]:9000', 10.0.0.1:8556]\n"), folder, null);
        var off = AgentOptions.Load(Write("off.yaml", "revocation_listen: []\n"), folder, null);
        var listed = AgentOptions.Load(Write("listed.yaml", "revocation_listen: [127.0.0.1:18580, '[::1]:18580']\n"), folder, null);

        Assert.Equal([IPEndPoint.Parse("10.0.0.1:8580"), IPEndPoint.Parse("[::1]:8580")], defaults.EffectiveRevocationListen);
        Assert.Empty(off.EffectiveRevocationListen);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:18580"), IPEndPoint.Parse("[::1]:18580")], listed.EffectiveRevocationListen);
    }

    [Fact]
    public void A_named_config_file_that_does_not_exist_is_an_error()
    {
        var error = Assert.Throws<KithException>(() => AgentOptions.Load(Path.Combine(folder, "missing.yaml"), null, null));

        Assert.Contains("no such config file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://alpha.home.arpa:8555", "https://alpha.home.arpa:8555/state")]
    [InlineData("https://127.0.0.1:8555/", "https://127.0.0.1:8555/state")]
    [InlineData("https://127.0.0.1:8555/custom", "https://127.0.0.1:8555/custom")]
    [InlineData("http://127.0.0.1:8555", null)]
    [InlineData("127.0.0.1:8555", null)]
    public void Publish_targets_get_the_state_path_and_must_be_https(string text, string? expected)
    {
        Assert.Equal(expected, StatePublisher.TargetOf(text)?.ToString());
    }

    [Fact]
    public void Metrics_have_one_series_per_refusal_reason_and_no_version_before_the_first_state()
    {
        var metrics = new AgentMetrics();
        metrics.CountRefused(FleetStateRefusal.NotNewer);
        metrics.CountRefused(FleetStateRefusal.NotNewer);
        metrics.CountTooLarge();

        var before = metrics.Render(null, DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));

        Assert.DoesNotContain("\nkith_state_version ", before, StringComparison.Ordinal);
        Assert.Contains("kith_state_refused_total{reason=\"not_newer\"} 2\n", before, StringComparison.Ordinal);
        Assert.Contains("kith_state_refused_total{reason=\"too_large\"} 1\n", before, StringComparison.Ordinal);
        Assert.Contains("kith_state_refused_total{reason=\"publisher_not_certified\"} 0\n", before, StringComparison.Ordinal);
        Assert.Contains("kith_host_ca_not_after_seconds 1900000000\n", before, StringComparison.Ordinal);
        Assert.Equal(Enum.GetValues<FleetStateRefusal>().Length + 1, before.Split('\n').Count(l => l.StartsWith("kith_state_refused_total{", StringComparison.Ordinal)));

        metrics.CountAccepted();
        var after = metrics.Render(7, DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));

        Assert.Contains("\nkith_state_version 7\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_state_accepted_total 1\n", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconcile_metrics_add_up_over_passes_and_have_no_timestamp_before_the_first()
    {
        var metrics = new AgentMetrics();
        var before = metrics.Render(null, DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));

        Assert.Contains("\nkith_issued_total 0\n", before, StringComparison.Ordinal);
        Assert.DoesNotContain("\nkith_last_reconcile_timestamp_seconds ", before, StringComparison.Ordinal);
        Assert.DoesNotContain("\nkith_endpoint_not_after_seconds{", before, StringComparison.Ordinal);

        metrics.RecordPass(2, 0, 1, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), new Dictionary<string, DateTimeOffset> { ["web"] = DateTimeOffset.FromUnixTimeSeconds(1_800_600_000) });
        metrics.RecordPass(0, 1, 0, DateTimeOffset.FromUnixTimeSeconds(1_800_000_300), new Dictionary<string, DateTimeOffset> { ["api\"x"] = DateTimeOffset.FromUnixTimeSeconds(1_800_700_000) });
        metrics.CountReconcileFailure();
        var after = metrics.Render(1, DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));

        Assert.Contains("\nkith_issued_total 2\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_renewed_total 1\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_reconcile_failures_total 2\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_last_reconcile_timestamp_seconds 1800000300\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_endpoint_not_after_seconds{endpoint=\"api\\\"x\"} 1800700000\n", after, StringComparison.Ordinal);
        Assert.DoesNotContain("endpoint=\"web\"", after, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
