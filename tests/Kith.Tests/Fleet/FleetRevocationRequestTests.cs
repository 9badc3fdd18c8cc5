using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kith.Fleet;
using Kith.Storage;

namespace Kith.Tests.Fleet;

/// <summary>The fleet state's revocation requests: their JSON, states written before them, and how long the operator keeps them.</summary>
public sealed class FleetRevocationRequestTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kith-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Revocation_requests_round_trip_as_snake_case_json()
    {
        using var publisher = new TestPublisher();
        var requestedAt = TestPublisher.Start.AddHours(1);
        var state = publisher.State(3) with
        {
            Revocations =
            [
                new FleetRevocationRequest("storage", "0a1b2c", null, "keyCompromise", requestedAt),
                new FleetRevocationRequest("storage", null, "web.home.arpa", "superseded", requestedAt),
            ],
        };

        var payload = FleetStateSigner.Serialize(state);
        var json = Encoding.UTF8.GetString(payload);
        var read = JsonSerializer.Deserialize(payload, FleetStateJson.Default.FleetState)!;

        Assert.Contains("\"revocations\":[{\"machine\":\"storage\",\"serial\":\"0a1b2c\",\"name\":null,\"reason\":\"keyCompromise\",\"requested_at\":\"2026-03-01T13:00:00+00:00\"}", json, StringComparison.Ordinal);
        Assert.Equal(state.Revocations, read.Revocations!);
        Assert.True(Kith.Operator.FleetStatePublication.SameContent(state, read));
        Assert.False(Kith.Operator.FleetStatePublication.SameContent(state, state with { Revocations = [] }));
    }

    [Fact]
    public void A_state_written_before_revocation_requests_existed_is_accepted_and_has_none()
    {
        using var publisher = new TestPublisher();
        var modern = Encoding.UTF8.GetString(FleetStateSigner.Serialize(publisher.State(2)));
        var old = modern.Replace(",\"revocations\":null", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("revocations", old, StringComparison.Ordinal);
        var payload = Encoding.UTF8.GetBytes(old);
        var envelope = FleetStateSigner.Encode(new SignedFleetState(
            Convert.ToBase64String(payload),
            Convert.ToBase64String(publisher.Key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            Kith.Pki.Pem.Encode("CERTIFICATE", publisher.Certificate.RawData)));

        var verdict = FleetStateVerifier.Verify(envelope, publisher.Root.Certificate, 1, new FixedTime(TestPublisher.Start.AddDays(1)));

        var accepted = Assert.IsType<FleetStateVerdict.Accepted>(verdict);
        Assert.Null(accepted.State.Revocations);
        Assert.Equal(2, accepted.State.Version);
    }

    [Fact]
    public async Task The_operator_keeps_a_request_until_it_is_older_than_the_cutoff_and_lists_them_oldest_first()
    {
        await using var requests = await SqliteRevocationRequestStore.OpenAsync(Path.Combine(folder, "kith.db"), Ct);
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var old = new RevocationRequest("alpha", null, "web.home.arpa", RevocationReason.Superseded, now.AddDays(-9));
        var recent = new RevocationRequest("alpha", "0abc", null, RevocationReason.KeyCompromise, now.AddDays(-2));
        var newest = new RevocationRequest("beta", null, "api.home.arpa", RevocationReason.Unspecified, now);
        Assert.True(await requests.AddAsync(newest, Ct));
        Assert.True(await requests.AddAsync(old, Ct));
        Assert.True(await requests.AddAsync(recent, Ct));
        Assert.False(await requests.AddAsync(recent, Ct));

        // A 7-day leaf validity plus the day's margin: the cutoff is 8 days back.
        var kept = await requests.PruneAndListAsync(now - TimeSpan.FromDays(7) - Kith.Operator.FleetStatePublication.RevocationRequestMargin, Ct);

        Assert.Equal([recent, newest], kept);
        Assert.False(await requests.ContainsAsync(old, Ct));
        Assert.Equal([recent, newest], await requests.PruneAndListAsync(now.AddDays(-8), Ct));
    }

    [Fact]
    public async Task A_request_needs_exactly_one_of_serial_and_name()
    {
        await using var requests = await SqliteRevocationRequestStore.OpenAsync(Path.Combine(folder, "kith.db"), Ct);
        var now = TestPublisher.Start;

        var neither = await Assert.ThrowsAsync<ArgumentException>(() => requests.AddAsync(new RevocationRequest("alpha", null, null, RevocationReason.Unspecified, now), Ct));
        var both = await Assert.ThrowsAsync<ArgumentException>(() => requests.AddAsync(new RevocationRequest("alpha", "0a", "web.home.arpa", RevocationReason.Unspecified, now), Ct));
        var upper = await Assert.ThrowsAsync<ArgumentException>(() => requests.AddAsync(new RevocationRequest("alpha", "0A", null, RevocationReason.Unspecified, now), Ct));

        Assert.Contains("serial or a name", neither.Message, StringComparison.Ordinal);
        Assert.Contains("serial or a name", both.Message, StringComparison.Ordinal);
        Assert.Contains("lower-case hex", upper.Message, StringComparison.Ordinal);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
