using System.Diagnostics;
using Kith.Acme;
using Kith.Acme.Validation;

namespace Kith.IntegrationTests.Acme;

public sealed class Dns01ValidatorTests
{
    private static readonly ChallengeRequest Request = AcmeTestNetwork.Request();
    private const string RecordName = "_acme-challenge.music.home.arpa";

    private static Dns01Validator Validator(TxtDnsServer server, TimeSpan? timeout = null) => new(new ChallengeValidationOptions
    {
        DnsResolvers = [server.EndPoint],
        TotalTimeout = timeout ?? TimeSpan.FromSeconds(5),
    });

    [Fact]
    public async Task Txt_record_with_the_digest_among_others_is_valid()
    {
        var expected = KeyAuthorizationDigest.Base64UrlSha256(Request.KeyAuthorization);
        await using var server = new TxtDnsServer(new Dictionary<string, string[]> { [RecordName] = ["stale-value-from-last-time", expected] });

        var result = await Validator(server).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal($"{RecordName} has the TXT record {expected}", result.Detail);
    }

    [Fact]
    public void Digest_is_base64url_of_sha256_without_padding()
    {
        // Expected value computed with: printf %s KEYAUTH | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
        var value = KeyAuthorizationDigest.Base64UrlSha256("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ");

        Assert.Equal("NGwKoXBgCT8JhEa0bK7AwfSqHyu_ZWeugV07fLGIVq0", value);
    }

    [Fact]
    public async Task Wrong_txt_value_is_incorrect_response_and_shows_the_values_seen()
    {
        var expected = KeyAuthorizationDigest.Base64UrlSha256(Request.KeyAuthorization);
        await using var server = new TxtDnsServer(new Dictionary<string, string[]> { [RecordName] = ["not-the-digest"] });

        var result = await Validator(server).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.IncorrectResponse, result.ProblemType);
        Assert.Equal($"{RecordName} has TXT \"not-the-digest\", none equal to the expected \"{expected}\"", result.Detail);
    }

    [Fact]
    public async Task Nxdomain_is_a_dns_problem()
    {
        await using var server = new TxtDnsServer(new Dictionary<string, string[]>());

        var result = await Validator(server).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Dns, result.ProblemType);
        Assert.Equal($"TXT lookup of {RecordName} answered Non-Existent Domain", result.Detail);
    }

    [Fact]
    public async Task Resolver_that_never_answers_hits_the_timeout()
    {
        await using var server = new TxtDnsServer(new Dictionary<string, string[]>(), silent: true);
        var watch = Stopwatch.StartNew();

        var result = await Validator(server, TimeSpan.FromSeconds(1)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Dns, result.ProblemType);
        Assert.StartsWith($"TXT lookup of {RecordName} ", result.Detail);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.True(server.Queries >= 1);
    }
}
