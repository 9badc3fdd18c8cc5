using System.Text;
using System.Text.Json.Nodes;
using Kith.Fleet;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Fleet;

public class FleetStateVerifierTests
{
    private static readonly FakeTimeProvider Clock = new(TestPublisher.Start + TimeSpan.FromDays(1));

    [Fact]
    public void A_state_signed_by_the_publisher_is_accepted_with_its_content()
    {
        using var fleet = new TestPublisher();

        var verdict = FleetStateVerifier.Verify(fleet.Signed(7), fleet.Root.Certificate, lastAcceptedVersion: 6, Clock);

        var accepted = Assert.IsType<FleetStateVerdict.Accepted>(verdict);
        Assert.Equal(7, accepted.State.Version);
        Assert.Equal("home.arpa", accepted.State.Domain);
        Assert.Equal("storage", Assert.Single(accepted.State.Machines).Name);
        Assert.Equal(2, accepted.State.DnsRecords.Count);
    }

    [Theory]
    [InlineData(Kith.Pki.KeyAlgorithm.Rsa3072)]
    [InlineData(Kith.Pki.KeyAlgorithm.EcdsaP384)]
    public void A_publisher_under_a_root_of_another_key_type_is_accepted(Kith.Pki.KeyAlgorithm rootKey)
    {
        using var fleet = new TestPublisher(rootKey: rootKey);

        Assert.IsType<FleetStateVerdict.Accepted>(FleetStateVerifier.Verify(fleet.Signed(1), fleet.Root.Certificate, null, Clock));
        Assert.True(fleet.Certificate.NotAfter <= fleet.Root.Certificate.NotAfter);
    }

    [Fact]
    public void A_first_state_is_accepted_when_nothing_was_accepted_before()
    {
        using var fleet = new TestPublisher();

        Assert.IsType<FleetStateVerdict.Accepted>(FleetStateVerifier.Verify(fleet.Signed(1), fleet.Root.Certificate, null, Clock));
    }

    [Fact]
    public void A_tampered_payload_is_refused_as_a_bad_signature()
    {
        using var fleet = new TestPublisher();
        var envelope = JsonNode.Parse(fleet.Signed(5))!;
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(envelope["payload"]!.GetValue<string>()));
        envelope["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.Replace("192.0.2.10", "192.0.2.66", StringComparison.Ordinal)));

        AssertRefused(FleetStateRefusal.BadSignature, FleetStateVerifier.Verify(Encoding.UTF8.GetBytes(envelope.ToJsonString()), fleet.Root.Certificate, 4, Clock));
    }

    [Fact]
    public void A_publisher_certified_by_another_root_is_refused()
    {
        using var fleet = new TestPublisher();
        using var other = new TestPublisher();

        AssertRefused(FleetStateRefusal.PublisherNotCertified, FleetStateVerifier.Verify(other.Signed(5), fleet.Root.Certificate, 4, Clock));
    }

    [Fact]
    public void A_self_signed_publisher_with_the_kith_usage_is_refused()
    {
        using var fleet = new TestPublisher();
        var (certificate, key) = TestPublisher.Forge(null, [PublisherCertificate.ExtendedKeyUsage], TestPublisher.Start, TestPublisher.Start + TimeSpan.FromDays(30));
        using (certificate)
        using (key)
        {
            var envelope = FleetStateSigner.Encode(FleetStateSigner.Sign(fleet.State(5), key, certificate));

            AssertRefused(FleetStateRefusal.PublisherNotCertified, FleetStateVerifier.Verify(envelope, fleet.Root.Certificate, 4, Clock));
        }
    }

    [Fact]
    public void The_root_itself_as_publisher_is_refused()
    {
        using var fleet = new TestPublisher();
        var envelope = FleetStateSigner.Encode(FleetStateSigner.Sign(fleet.State(5), (System.Security.Cryptography.ECDsa)fleet.Root.Key, fleet.Root.Certificate));

        AssertRefused(FleetStateRefusal.PublisherNotCertified, FleetStateVerifier.Verify(envelope, fleet.Root.Certificate, 4, Clock));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.3.6.1.5.5.7.3.3")] // code signing: a real EKU, but not kith's
    public void A_root_signed_certificate_without_the_kith_usage_is_refused(string usage)
    {
        using var fleet = new TestPublisher();
        var (certificate, key) = TestPublisher.Forge(fleet.Root, usage.Length == 0 ? [] : [usage], TestPublisher.Start, TestPublisher.Start + TimeSpan.FromDays(30));
        using (certificate)
        using (key)
        {
            var envelope = FleetStateSigner.Encode(FleetStateSigner.Sign(fleet.State(5), key, certificate));

            AssertRefused(FleetStateRefusal.PublisherNotAuthorized, FleetStateVerifier.Verify(envelope, fleet.Root.Certificate, 4, Clock));
        }
    }

    [Fact]
    public void An_expired_publisher_is_refused()
    {
        using var fleet = new TestPublisher();
        var later = new FakeTimeProvider(TestPublisher.Start + PublisherCertificate.Validity + TimeSpan.FromDays(1));

        AssertRefused(FleetStateRefusal.PublisherExpired, FleetStateVerifier.Verify(fleet.Signed(5), fleet.Root.Certificate, 4, later));
    }

    [Fact]
    public void A_publisher_not_yet_valid_is_refused()
    {
        using var fleet = new TestPublisher();
        var earlier = new FakeTimeProvider(TestPublisher.Start - TimeSpan.FromDays(1));

        AssertRefused(FleetStateRefusal.PublisherExpired, FleetStateVerifier.Verify(fleet.Signed(5), fleet.Root.Certificate, 4, earlier));
    }

    [Theory]
    [InlineData(4)] // rollback
    [InlineData(5)] // replay
    public void A_version_not_higher_than_the_last_accepted_is_refused(long version)
    {
        using var fleet = new TestPublisher();

        AssertRefused(FleetStateRefusal.NotNewer, FleetStateVerifier.Verify(fleet.Signed(version), fleet.Root.Certificate, 5, Clock));
    }

    [Fact]
    public void A_state_for_another_domain_is_refused()
    {
        using var fleet = new TestPublisher();

        AssertRefused(FleetStateRefusal.DomainMismatch, FleetStateVerifier.Verify(fleet.Signed(5, "example.org"), fleet.Root.Certificate, 4, Clock));
        AssertRefused(FleetStateRefusal.DomainMismatch, FleetStateVerifier.Verify(fleet.Signed(5), fleet.Root.Certificate, 4, Clock, domain: "lab.example.org"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"payload\":\"!!\",\"signature\":\"AA==\",\"publisher\":\"x\"}")]
    [InlineData("{\"payload\":\"AA==\",\"signature\":\"AA==\",\"publisher\":\"not a certificate\"}")]
    public void Garbage_is_refused_as_malformed(string text)
    {
        using var fleet = new TestPublisher();

        AssertRefused(FleetStateRefusal.Malformed, FleetStateVerifier.Verify(Encoding.UTF8.GetBytes(text), fleet.Root.Certificate, null, Clock));
    }

    [Fact]
    public void A_signed_payload_that_is_not_a_fleet_state_is_refused_as_malformed()
    {
        using var fleet = new TestPublisher();
        var payload = "{\"hello\":1}"u8.ToArray();
        var signature = fleet.Key.SignData(payload, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence);
        var envelope = FleetStateSigner.Encode(new SignedFleetState(Convert.ToBase64String(payload), Convert.ToBase64String(signature), Kith.Pki.Pem.Encode("CERTIFICATE", fleet.Certificate.RawData)));

        AssertRefused(FleetStateRefusal.Malformed, FleetStateVerifier.Verify(envelope, fleet.Root.Certificate, null, Clock));
    }

    [Fact]
    public void Input_over_the_size_cap_is_refused_without_parsing()
    {
        using var fleet = new TestPublisher();

        AssertRefused(FleetStateRefusal.Malformed, FleetStateVerifier.Verify(new byte[SignedFleetState.MaxBytes + 1], fleet.Root.Certificate, null, Clock));
    }

    private static void AssertRefused(FleetStateRefusal reason, FleetStateVerdict verdict)
    {
        var refused = Assert.IsType<FleetStateVerdict.Refused>(verdict);
        Assert.True(refused.Reason == reason, $"expected {reason}, got {refused}");
        Assert.False(string.IsNullOrWhiteSpace(refused.Detail));
    }
}
