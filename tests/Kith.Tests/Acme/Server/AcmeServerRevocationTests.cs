using System.Security.Cryptography;
using System.Text;
using Kith.Acme;
using Kith.Storage;

namespace Kith.Tests.Acme.Server;

/// <summary>revokeCert (RFC 8555 §7.6) by the ordering account or by the certificate's own key, as the issuance log records it.</summary>
public sealed class AcmeServerRevocationTests : IAsyncLifetime
{
    private AcmeServerFixture fixture = null!;

    public async ValueTask InitializeAsync() => fixture = await AcmeServerFixture.StartAsync();

    public async ValueTask DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task The_ordering_account_revokes_and_the_log_and_renewalInfo_show_it()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (_, order, _) = await client.IssueAsync("music.home.arpa");
        using var leaf = await AcmeServerFlowTests.DownloadLeafAsync(client, order);
        var payload = $$"""{"certificate":"{{TestAcmeKey.B64(leaf.RawData)}}","reason":4}""";

        var revoked = await client.PostAsync(client.Url("revoke-cert"), payload);
        var again = await client.PostAsync(client.Url("revoke-cert"), payload);

        Assert.Equal(200, revoked.Status);
        Assert.Equal("alreadyRevoked", AcmeTestClient.ProblemType(again));
        var logged = await fixture.Certificates.FindAsync(fixture.Authority.Authority.Name, leaf.SerialNumber.ToLowerInvariant(), TestContext.Current.CancellationToken);
        Assert.NotNull(logged);
        Assert.True(logged.IsRevoked);
        Assert.Equal(RevocationReason.Superseded, logged.RevocationReason);
        var renewal = AcmeTestClient.Json(await client.GetAsync(client.Url("renewal-info/") + CertificateIdentifier.Of(leaf)));
        var end = DateTimeOffset.Parse(renewal.GetProperty("suggestedWindow").GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(end < DateTimeOffset.UtcNow, "a revoked certificate should be renewed now");
    }

    [Fact]
    public async Task The_certificate_key_revokes_without_an_account_but_another_account_may_not()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        var (_, order, certificateKey) = await client.IssueAsync("storage.home.arpa");
        using var leaf = await AcmeServerFlowTests.DownloadLeafAsync(client, order);
        var payload = $$"""{"certificate":"{{TestAcmeKey.B64(leaf.RawData)}}"}""";
        var other = fixture.Client();
        await other.NewAccountAsync();

        var byOther = await other.PostAsync(other.Url("revoke-cert"), payload);
        Assert.Equal("unauthorized", AcmeTestClient.ProblemType(byOther));

        var byKey = new AcmeTestClient(fixture.Server, EcKey(certificateKey));
        var revoked = await byKey.PostAsync(byKey.Url("revoke-cert"), payload, useJwk: true);
        Assert.True(revoked.Status == 200, AcmeTestClient.Text(revoked));
        Assert.True((await fixture.Certificates.FindAsync(fixture.Authority.Authority.Name, leaf.SerialNumber.ToLowerInvariant(), TestContext.Current.CancellationToken))!.IsRevoked);
    }

    [Fact]
    public async Task A_certificate_this_server_did_not_issue_is_refused()
    {
        var client = fixture.Client();
        await client.NewAccountAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=music.home.arpa", key, HashAlgorithmName.SHA256);
        using var foreign = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        var response = await client.PostAsync(client.Url("revoke-cert"), $$"""{"certificate":"{{TestAcmeKey.B64(foreign.RawData)}}"}""");

        Assert.InRange(response.Status, 400, 404);
        Assert.Contains("did not issue", Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
    }

    /// <summary>The certificate's own key as a JWS signer (what certbot does with --key-path).</summary>
    internal static TestAcmeKey EcKey(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        var jwk = $$"""{"kty":"EC","crv":"P-256","x":"{{TestAcmeKey.B64(q.X!)}}","y":"{{TestAcmeKey.B64(q.Y!)}}"}""";
        return TestAcmeKey.Create("P-256").WithJwk(jwk).WithSigner(data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }
}
