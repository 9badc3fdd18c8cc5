using System.Net;
using Kith.Agent;
using Kith.Fleet;

namespace Kith.Tests.Agent;

public sealed class PeerListTests
{
    private static readonly FleetState State = new(
        7,
        "home.arpa",
        DateTimeOffset.UnixEpoch,
        [
            Machine("alpha", "100.64.0.1", "bootstrap"),
            Machine("beta", "100.64.0.2"),
            Machine("gamma", "100.64.0.3", "bootstrap"),
            Machine("delta", "100.64.0.4"),
            Machine("epsilon", "100.64.0.5"),
            Machine("zeta", "100.64.0.6"),
            Machine("eta", "100.64.0.7"),
        ],
        [],
        [],
        null,
        string.Empty);

    [Fact]
    public void Every_machine_but_this_one_is_a_peer_named_and_reached_as_in_the_state()
    {
        var peers = PeerList.From(State, "beta", "home.arpa", 8555, []);

        Assert.Equal(["alpha", "gamma", "delta", "epsilon", "zeta", "eta"], peers.Select(p => p.Name));
        var alpha = peers[0];
        Assert.True(alpha.First);
        Assert.False(peers[2].First);
        Assert.Equal([IPAddress.Parse("100.64.0.1")], alpha.Addresses);
        Assert.Equal("https://alpha.home.arpa:8555/state?after=7", alpha.StateUri(7).ToString());
        Assert.Equal("https://alpha.home.arpa:8555/state", alpha.StateUri(null).ToString());
        Assert.Equal([IPAddress.Parse("100.64.0.1")], PeerList.AddressMap(peers)["alpha.home.arpa"]);
    }

    [Fact]
    public void A_round_asks_every_bootstrap_machine_first_then_at_most_three_others()
    {
        var peers = PeerList.From(State, "beta", "home.arpa", 8555, []);
        var seenFirst = new HashSet<string>();
        var seenOthers = new HashSet<string>();

        for (var seed = 0; seed < 50; seed++)
        {
            var round = PeerList.RoundOrder(peers, new Random(seed));

            Assert.Equal(5, round.Count);
            Assert.Equal(["alpha", "gamma"], round.Take(2).Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.All(round.Skip(2), p => Assert.False(p.First));
            Assert.Equal(3, round.Skip(2).Select(p => p.Name).Distinct().Count());
            seenFirst.Add(round[0].Name);
            seenOthers.UnionWith(round.Skip(2).Select(p => p.Name));
        }

        // Random order: over 50 rounds each bootstrap machine comes first sometimes, and every other machine is asked.
        Assert.Equal(2, seenFirst.Count);
        Assert.Equal(4, seenOthers.Count);
    }

    [Fact]
    public void Configured_peers_are_asked_first_and_also_without_a_state_but_never_this_machine_or_twice()
    {
        var configured = new[]
        {
            ConfiguredPeer.Parse("alpha=https://192.0.2.1:8555", "agent.yaml"),
            ConfiguredPeer.Parse("beta=https://192.0.2.2:8555", "agent.yaml"),
            ConfiguredPeer.Parse("https://Seed.Example.org:9000", "agent.yaml"),
        };

        var withoutState = PeerList.From(null, "beta", "home.arpa", 8555, configured);

        Assert.Equal(["alpha=https://192.0.2.1:8555", "https://Seed.Example.org:9000"], withoutState.Select(p => p.Name));
        Assert.All(withoutState, p => Assert.True(p.First));
        Assert.Equal("https://alpha.home.arpa:8555/state", withoutState[0].StateUri(null).ToString());
        Assert.Equal([IPAddress.Parse("192.0.2.1")], withoutState[0].Addresses);
        Assert.Equal("https://seed.example.org:9000/state", withoutState[1].StateUri(null).ToString());
        Assert.Empty(withoutState[1].Addresses);

        var withState = PeerList.From(State, "beta", "home.arpa", 8555, configured);

        Assert.Single(withState, p => p.CertificateName == "alpha.home.arpa");
        Assert.Equal("https://Seed.Example.org:9000", withState[^1].Name);
    }

    [Fact]
    public void Peer_pull_metrics_have_one_series_per_result_and_no_sync_time_before_the_first()
    {
        var metrics = new AgentMetrics();

        var before = metrics.Render(null, DateTimeOffset.UnixEpoch);

        Assert.Contains("\nkith_peer_pulls_total{result=\"unreachable\"} 0\n", before, StringComparison.Ordinal);
        Assert.DoesNotContain("\nkith_last_sync_timestamp_seconds ", before, StringComparison.Ordinal);

        metrics.CountPeerPull(PeerPullResult.NotNewer);
        metrics.CountPeerPull(PeerPullResult.NotNewer);
        metrics.CountPeerPull(PeerPullResult.Accepted);
        metrics.RecordSync(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var after = metrics.Render(3, DateTimeOffset.UnixEpoch);

        Assert.Contains("\nkith_peer_pulls_total{result=\"accepted\"} 1\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_peer_pulls_total{result=\"not_newer\"} 2\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_peer_pulls_total{result=\"refused\"} 0\n", after, StringComparison.Ordinal);
        Assert.Contains("\nkith_last_sync_timestamp_seconds 1800000000\n", after, StringComparison.Ordinal);
    }

    private static FleetMachine Machine(string name, string address, params string[] roles) => new(name, [address], roles, [], []);
}
