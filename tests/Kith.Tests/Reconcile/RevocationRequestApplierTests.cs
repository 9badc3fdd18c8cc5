using System.Security.Cryptography.X509Certificates;
using Kith.Fleet;
using Kith.Reconcile;
using Kith.Storage;

namespace Kith.Tests.Reconcile;

/// <summary>
/// An agent carrying out the fleet state's revocation requests in its issuance log, and its reconciler replacing
/// the certificates they revoked (a real SQLite store; the reconciler records what it issues there).
/// </summary>
public sealed class RevocationRequestApplierTests : IAsyncDisposable
{
    private readonly ReconcileFixture fixture = new();
    private readonly SqliteCertificateStore store;
    private readonly SqliteRevocationRequestStore carriedOut;
    private readonly EndpointReconciler reconciler;

    public RevocationRequestApplierTests()
    {
        var database = Path.Combine(fixture.Root, "agent", "kith.db");
        store = SqliteCertificateStore.OpenAsync(database, Ct).GetAwaiter().GetResult();
        carriedOut = SqliteRevocationRequestStore.OpenAsync(database, Ct).GetAwaiter().GetResult();
        reconciler = new EndpointReconciler(fixture.Time, fixture.Options, new Random(7), log: store);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await store.DisposeAsync();
        await carriedOut.DisposeAsync();
        fixture.Dispose();
    }

    [Fact]
    public async Task A_request_by_name_revokes_the_certificate_once_and_the_next_pass_replaces_it_with_one_that_stays_valid()
    {
        var state = ReconcileFixture.State(fixture.Endpoint("music", "music.home.arpa"));
        var first = (await PassAsync(state))["music"];
        Assert.True(first.Serial is not null, first.ToString());
        var recorded = await store.FindAsync("storage", first.Serial!, Ct);
        Assert.Equal(["music.home.arpa"], recorded?.Names);
        Assert.Equal("music", recorded?.Service);

        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        var withRequest = state with { Version = 2, Revocations = [new FleetRevocationRequest("storage", null, "music.home.arpa", "superseded", fixture.Time.GetUtcNow())] };
        var applied = await RevocationRequestApplier.ApplyAsync(withRequest, "storage", store, carriedOut, Ct);

        var revoked = Assert.Single(applied.Revoked);
        Assert.Equal((first.Serial, RevocationReason.Superseded, false), (revoked.SerialHex, revoked.Reason, revoked.KeyBlocked));
        Assert.Empty(applied.Ignored);
        Assert.Equal(RevocationReason.Superseded, (await store.FindAsync("storage", first.Serial!, Ct))?.RevocationReason);

        var second = (await PassAsync(withRequest))["music"];
        Assert.Equal((EndpointAction.Renewed, "revoked"), (second.Action, second.Reason));
        Assert.NotEqual(first.Serial, second.Serial);

        // The same state again, and a later state still carrying the request: the replacement is left alone.
        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty((await RevocationRequestApplier.ApplyAsync(withRequest with { Version = 3 }, "storage", store, carriedOut, Ct)).Revoked);
        Assert.False((await store.FindAsync("storage", second.Serial!, Ct))!.IsRevoked);
        Assert.Equal(EndpointAction.Kept, (await PassAsync(withRequest with { Version = 3 }))["music"].Action);
    }

    [Fact]
    public async Task A_request_by_serial_with_key_compromise_revokes_that_certificate_and_blocks_its_key()
    {
        var state = ReconcileFixture.State(fixture.Endpoint("music", "music.home.arpa"), fixture.Endpoint("storage", "storage.home.arpa"));
        var result = await PassAsync(state);
        var web = result["music"].Serial!;
        var request = new FleetRevocationRequest("storage", web, null, "keyCompromise", fixture.Time.GetUtcNow());

        var applied = await RevocationRequestApplier.ApplyAsync(state with { Revocations = [request] }, "storage", store, carriedOut, Ct);

        Assert.True(Assert.Single(applied.Revoked).KeyBlocked);
        using var certificate = X509CertificateLoader.LoadCertificate((await store.FindAsync("storage", web, Ct))!.Der!);
        Assert.True(await store.IsKeyBlockedAsync(certificate.PublicKey.ExportSubjectPublicKeyInfo(), Ct));
        Assert.False((await store.FindAsync("storage", result["storage"].Serial!, Ct))!.IsRevoked);
        var revoked = Assert.Single(await store.ListRevokedAsync("storage", fixture.Time.GetUtcNow(), Ct));
        Assert.Equal((web, RevocationReason.KeyCompromise), (revoked.SerialHex, revoked.Reason));
    }

    [Fact]
    public async Task Requests_for_another_machine_are_left_alone_and_a_malformed_or_unmatched_one_is_reported()
    {
        var state = ReconcileFixture.State(fixture.Endpoint("music", "music.home.arpa"));
        var web = (await PassAsync(state))["music"].Serial!;
        var now = fixture.Time.GetUtcNow();
        var requests = state with
        {
            Revocations =
            [
                new FleetRevocationRequest("edge", web, null, "unspecified", now),
                new FleetRevocationRequest("storage", null, "music.home.arpa", "notAReason", now),
                new FleetRevocationRequest("storage", null, "other.home.arpa", "superseded", now),
                new FleetRevocationRequest("storage", null, "music.home.arpa", "superseded", now - TimeSpan.FromHours(1)),
            ],
        };

        var applied = await RevocationRequestApplier.ApplyAsync(requests, "storage", store, carriedOut, Ct);

        Assert.Empty(applied.Revoked);
        Assert.Equal(3, applied.Ignored.Count);
        Assert.Contains(applied.Ignored, i => i.Contains("malformed", StringComparison.Ordinal) && i.Contains("notAReason", StringComparison.Ordinal));
        Assert.Contains(applied.Ignored, i => i.Contains("other.home.arpa", StringComparison.Ordinal) && i.Contains("no certificate", StringComparison.Ordinal));
        Assert.False((await store.FindAsync("storage", web, Ct))!.IsRevoked);
    }

    private Task<ReconcileResult> PassAsync(FleetState state) =>
        reconciler.ReconcileAsync(state, "storage", fixture.Authorities.Host, Ct);
}
