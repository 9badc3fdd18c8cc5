using System.Security.Cryptography;
using Kith.Storage;

namespace Kith.Tests.Acme.Server;

/// <summary>A key revoked for keyCompromise is blocked: no later certificate or account may use it.</summary>
public sealed class AcmeServerKeyBlockingTests : IAsyncLifetime
{
    private AcmeServerFixture fixture = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => fixture = await AcmeServerFixture.StartAsync();

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task A_key_compromise_revocation_signed_with_the_certificate_key_blocks_it_and_a_later_finalize_with_it_is_refused_before_anything_is_stored()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (_, order, certificateKey) = await client.IssueAsync("music.home.arpa");
        using var leaf = await AcmeServerFlowTests.DownloadLeafAsync(client, order);
        var byKey = new AcmeTestClient(fixture.Server, AcmeServerRevocationTests.EcKey(certificateKey));

        var revoked = await byKey.PostAsync(byKey.Url("revoke-cert"), $$"""{"certificate":"{{TestAcmeKey.B64(leaf.RawData)}}","reason":1}""", useJwk: true);

        Assert.True(revoked.Status == 200, AcmeTestClient.Text(revoked));
        Assert.True(await fixture.Certificates.IsKeyBlockedAsync(certificateKey.ExportSubjectPublicKeyInfo(), Ct));
        var logged = await fixture.Certificates.ListAsync(new CertificateQuery(), Ct);
        var (orderUrl, ready) = await client.ReadyOrderAsync("music.home.arpa");
        var refused = await client.FinalizeAsync(ready.GetProperty("finalize").GetString()!, AcmeTestClient.Csr(certificateKey, "music.home.arpa"));
        Assert.Equal(400, refused.Status);
        Assert.Equal("badPublicKey", AcmeTestClient.ProblemType(refused));
        Assert.Contains("this key was reported compromised", AcmeTestClient.Text(refused), StringComparison.Ordinal);
        Assert.Equal(logged.Count, (await fixture.Certificates.ListAsync(new CertificateQuery(), Ct)).Count);
        Assert.Equal("ready", AcmeTestClient.Json(await client.PostAsync(orderUrl, "")).GetProperty("status").GetString());

        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issued = await client.FinalizeAsync(ready.GetProperty("finalize").GetString()!, AcmeTestClient.Csr(fresh, "music.home.arpa"));
        Assert.True(issued.Status == 200, AcmeTestClient.Text(issued));
    }

    [Fact]
    public async Task A_key_compromise_revocation_by_the_ordering_account_blocks_the_key_and_it_cannot_open_an_account()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (_, order, certificateKey) = await client.IssueAsync("storage.home.arpa");
        using var leaf = await AcmeServerFlowTests.DownloadLeafAsync(client, order);

        var revoked = await client.PostAsync(client.Url("revoke-cert"), $$"""{"certificate":"{{TestAcmeKey.B64(leaf.RawData)}}","reason":1}""");
        var account = await new AcmeTestClient(fixture.Server, AcmeServerRevocationTests.EcKey(certificateKey)).NewAccountAsync();

        Assert.True(revoked.Status == 200, AcmeTestClient.Text(revoked));
        Assert.Equal(RevocationReason.KeyCompromise, (await fixture.Certificates.FindAsync(fixture.Authority.Authority.Name, leaf.SerialNumber.ToLowerInvariant(), Ct))!.RevocationReason);
        Assert.Equal("badPublicKey", AcmeTestClient.ProblemType(account));
        Assert.Contains("this key was reported compromised", AcmeTestClient.Text(account), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revocation_for_another_reason_leaves_the_key_usable()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (_, order, certificateKey) = await client.IssueAsync("music.home.arpa");
        using var leaf = await AcmeServerFlowTests.DownloadLeafAsync(client, order);

        var revoked = await client.PostAsync(client.Url("revoke-cert"), $$"""{"certificate":"{{TestAcmeKey.B64(leaf.RawData)}}","reason":4}""");

        Assert.Equal(200, revoked.Status);
        Assert.False(await fixture.Certificates.IsKeyBlockedAsync(certificateKey.ExportSubjectPublicKeyInfo(), Ct));
        var (_, ready) = await client.ReadyOrderAsync("music.home.arpa");
        var reissued = await client.FinalizeAsync(ready.GetProperty("finalize").GetString()!, AcmeTestClient.Csr(certificateKey, "music.home.arpa"));
        Assert.True(reissued.Status == 200, AcmeTestClient.Text(reissued));
    }
}
