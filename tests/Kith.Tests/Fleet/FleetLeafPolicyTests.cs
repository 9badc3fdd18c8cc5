using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kith.Fleet;
using Kith.Inventory;
using Kith.Operator;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Fleet;

/// <summary>The leaf policy (ca.leaf_validity, ca.renew_at) in the fleet state: written, read, defaulted, checked.</summary>
public class FleetLeafPolicyTests
{
    private static readonly FakeTimeProvider Clock = new(TestPublisher.Start + TimeSpan.FromDays(1));

    [Fact]
    public void The_builder_writes_the_inventorys_leaf_validity_in_seconds_and_renew_at()
    {
        var inventory = InventoryLoader.Parse("domain: home.arpa\nca: { leaf_validity: 36h, renew_at: \"3/4\" }\nmachines:\n  storage: { addresses: [192.0.2.10] }\n", "kith.yaml");

        var state = FleetStateBuilder.Build(inventory, _ => null, "ROOT-PEM", 1, TestPublisher.Start);
        var payload = JsonNode.Parse(FleetStateSigner.Serialize(state))!;

        Assert.Equal(36 * 3600, payload["leaf_validity_seconds"]!.GetValue<long>());
        Assert.Equal(0.75, payload["renew_at"]!.GetValue<double>());
        Assert.Equal(new LeafPolicy(TimeSpan.FromHours(36), 0.75), LeafPolicy.Of(state));
    }

    [Fact]
    public void An_inventory_without_a_ca_section_writes_the_defaults()
    {
        var inventory = InventoryLoader.Parse("domain: home.arpa\nmachines:\n  storage: { addresses: [192.0.2.10] }\n", "kith.yaml");

        var state = FleetStateBuilder.Build(inventory, _ => null, "ROOT-PEM", 1, TestPublisher.Start);

        Assert.Equal(7 * 24 * 3600, state.LeafValiditySeconds);
        Assert.Equal(2.0 / 3.0, state.RenewAt);
    }

    [Fact]
    public void A_state_written_before_the_policy_existed_is_accepted_and_means_seven_days_renewed_at_two_thirds()
    {
        using var fleet = new TestPublisher();
        var payload = JsonNode.Parse(FleetStateSigner.Serialize(fleet.State(3)))!.AsObject();
        Assert.True(payload.Remove("leaf_validity_seconds"));
        Assert.True(payload.Remove("renew_at"));

        var verdict = FleetStateVerifier.Verify(SignRaw(fleet, payload.ToJsonString()), fleet.Root.Certificate, lastAcceptedVersion: 2, Clock);

        var accepted = Assert.IsType<FleetStateVerdict.Accepted>(verdict);
        Assert.Null(accepted.State.LeafValiditySeconds);
        Assert.Null(accepted.State.RenewAt);
        Assert.Equal(new LeafPolicy(TimeSpan.FromDays(7), 2.0 / 3.0), LeafPolicy.Of(accepted.State));
    }

    [Fact]
    public void A_state_carrying_a_policy_is_read_with_it()
    {
        using var fleet = new TestPublisher();
        var state = fleet.State(3) with { LeafValiditySeconds = 3600, RenewAt = 0.5 };

        var verdict = FleetStateVerifier.Verify(FleetStateSigner.Encode(FleetStateSigner.Sign(state, fleet.Key, fleet.Certificate)), fleet.Root.Certificate, null, Clock);

        Assert.Equal(new LeafPolicy(TimeSpan.FromHours(1), 0.5), LeafPolicy.Of(Assert.IsType<FleetStateVerdict.Accepted>(verdict).State));
    }

    [Theory]
    [InlineData("\"leaf_validity_seconds\":0", "leaf_validity_seconds 0")]
    [InlineData("\"leaf_validity_seconds\":-60", "leaf_validity_seconds -60")]
    [InlineData("\"leaf_validity_seconds\":9223372036854775807", "leaf_validity_seconds 9223372036854775807")]
    [InlineData("\"renew_at\":1", "renew_at 1")]
    [InlineData("\"renew_at\":0", "renew_at 0")]
    [InlineData("\"renew_at\":-0.5", "renew_at -0.5")]
    public void A_signed_state_with_an_unusable_policy_is_refused_as_malformed(string field, string expected)
    {
        using var fleet = new TestPublisher();
        var payload = JsonNode.Parse(FleetStateSigner.Serialize(fleet.State(1) with { LeafValiditySeconds = 3600, RenewAt = 0.5 }))!.AsObject();
        var (name, value) = (field.Split(':')[0].Trim('"'), field.Split(':')[1]);
        payload[name] = JsonNode.Parse(value);

        var verdict = FleetStateVerifier.Verify(SignRaw(fleet, payload.ToJsonString()), fleet.Root.Certificate, null, Clock);

        var refused = Assert.IsType<FleetStateVerdict.Refused>(verdict);
        Assert.Equal(FleetStateRefusal.Malformed, refused.Reason);
        Assert.Contains(expected, refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_policy_is_a_change_of_content_so_apply_writes_a_new_version()
    {
        using var fleet = new TestPublisher();
        var before = fleet.State(1) with { LeafValiditySeconds = 7 * 24 * 3600, RenewAt = 2.0 / 3.0 };

        Assert.True(FleetStatePublication.SameContent(before, before with { Version = 2 }));
        Assert.False(FleetStatePublication.SameContent(before, before with { LeafValiditySeconds = 3600 }));
        Assert.False(FleetStatePublication.SameContent(before, before with { RenewAt = 0.5 }));
    }

    private static byte[] SignRaw(TestPublisher fleet, string payloadJson)
    {
        var payload = Encoding.UTF8.GetBytes(payloadJson);
        var signature = fleet.Key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return FleetStateSigner.Encode(new SignedFleetState(Convert.ToBase64String(payload), Convert.ToBase64String(signature), Kith.Pki.Pem.Encode("CERTIFICATE", fleet.Certificate.RawData)));
    }
}
