using System.Diagnostics;
using System.Net.Security;
using Kith.Acme;
using Kith.Acme.Validation;

namespace Kith.IntegrationTests.Acme;

public sealed class TlsAlpn01ValidatorTests
{
    private static readonly ChallengeRequest Request = AcmeTestNetwork.Request();
    private static readonly List<SslApplicationProtocol> AcmeTls = [new("acme-tls/1")];

    private static byte[] Digest => KeyAuthorizationDigest.Sha256(Request.KeyAuthorization);

    private static async Task<(ChallengeResult Result, string Target)> ValidateAgainst(AlpnTestServer server, TimeSpan? timeout = null)
    {
        var result = await new TlsAlpn01Validator(AcmeTestNetwork.Options(server.Port, timeout)).ValidateAsync(Request, TestContext.Current.CancellationToken);
        return (result, $"{AcmeTestNetwork.Name}:{server.Port}");
    }

    [Fact]
    public async Task Certificate_with_the_one_name_and_the_critical_digest_is_valid_and_sni_is_the_name()
    {
        // Upper case on purpose: the dNSName comparison ignores case.
        await using var server = new AlpnTestServer(AlpnTestServer.Certificate(["MUSIC.home.arpa"], Digest), AcmeTls);

        var (result, target) = await ValidateAgainst(server);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal($"{target} presented a valid acme-tls/1 certificate", result.Detail);
        Assert.Equal(AcmeTestNetwork.Name, server.ServerNameSeen);
    }

    [Fact]
    public async Task Wrong_digest_is_unauthorized_and_shows_both_digests()
    {
        var wrong = KeyAuthorizationDigest.Sha256("T0k3n.another-account");
        await using var server = new AlpnTestServer(AlpnTestServer.Certificate([AcmeTestNetwork.Name], wrong), AcmeTls);

        var (result, target) = await ValidateAgainst(server);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Unauthorized, result.ProblemType);
        Assert.Equal($"{target} presented acmeIdentifier {Convert.ToHexStringLower(wrong)}, expected SHA-256 of the key authorization {Convert.ToHexStringLower(Digest)}", result.Detail);
    }

    [Fact]
    public async Task Non_critical_acme_identifier_is_unauthorized()
    {
        await using var server = new AlpnTestServer(AlpnTestServer.Certificate([AcmeTestNetwork.Name], Digest, critical: false), AcmeTls);

        var (result, target) = await ValidateAgainst(server);

        Assert.False(result.IsValid);
        Assert.Equal($"{target} presented a certificate whose acmeIdentifier extension is not critical", result.Detail);
    }

    [Fact]
    public async Task Missing_acme_identifier_is_unauthorized()
    {
        await using var server = new AlpnTestServer(AlpnTestServer.Certificate([AcmeTestNetwork.Name], null), AcmeTls);

        var (result, target) = await ValidateAgainst(server);

        Assert.False(result.IsValid);
        Assert.Equal($"{target} presented a certificate without the acmeIdentifier extension (1.3.6.1.5.5.7.1.31)", result.Detail);
    }

    [Fact]
    public async Task Two_subject_alt_names_are_unauthorized()
    {
        await using var server = new AlpnTestServer(AlpnTestServer.Certificate([AcmeTestNetwork.Name, "other.home.arpa"], Digest), AcmeTls);

        var (result, target) = await ValidateAgainst(server);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Unauthorized, result.ProblemType);
        Assert.Equal($"{target} presented a certificate for DNS:{AcmeTestNetwork.Name}, DNS:other.home.arpa; expected exactly one name, DNS:{AcmeTestNetwork.Name}", result.Detail);
    }

    [Fact]
    public async Task Server_without_alpn_is_a_tls_problem()
    {
        await using var server = new AlpnTestServer(AlpnTestServer.Certificate([AcmeTestNetwork.Name], Digest), null);

        var (result, target) = await ValidateAgainst(server);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Tls, result.ProblemType);
        Assert.Equal($"{target} negotiated no ALPN protocol, not \"acme-tls/1\"", result.Detail);
    }

    [Fact]
    public async Task Server_that_accepts_and_says_nothing_hits_the_total_timeout()
    {
        await using var server = new AlpnTestServer(null, null);
        var watch = Stopwatch.StartNew();

        var (result, target) = await ValidateAgainst(server, TimeSpan.FromSeconds(1));

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Connection, result.ProblemType);
        Assert.Equal($"{target} did not complete a TLS handshake within 1 s", result.Detail);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
    }
}
