using Kith.Acme;
using Kith.Pki;
using Kith.Tests.Pki;

namespace Kith.Tests.Acme;

/// <summary>The Host CA of <see cref="TestAuthorities"/> may certify music.home.arpa, storage.home.arpa and 100.64.0.10.</summary>
public sealed class OrderIdentifierPolicyTests : IDisposable
{
    private readonly TestAuthorities authorities = new();

    public void Dispose() => authorities.Dispose();

    private OrderIdentifierPolicy Policy(bool allowWildcard = true) => new(authorities.Host.Certificate, allowWildcard);

    private static AcmeIdentifier Dns(string value) => new("dns", value);

    private static AcmeIdentifier Ip(string value) => new("ip", value);

    [Fact]
    public void Names_and_addresses_inside_the_constraints_are_allowed()
    {
        Assert.Null(Policy().Check([Dns("music.home.arpa"), Dns("web.music.home.arpa"), Dns("*.storage.home.arpa"), Ip("100.64.0.10")]));
    }

    [Fact]
    public void A_name_outside_the_constraints_is_refused_with_what_the_CA_may_issue()
    {
        var problem = Policy().Check([Dns("music.home.arpa"), Dns("photos.home.arpa")]);

        Assert.NotNull(problem);
        Assert.Equal(AcmeErrorType.RejectedIdentifier, problem.Type);
        Assert.Contains("'photos.home.arpa' is outside the names this CA may certify (music.home.arpa, storage.home.arpa)", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(Dns("photos.home.arpa"), Assert.Single(problem.Subproblems!).Identifier);
    }

    [Fact]
    public void A_look_alike_suffix_is_outside()
    {
        var problem = Policy().Check([Dns("evilmusic.home.arpa")]);

        Assert.NotNull(problem);
        Assert.Contains("'evilmusic.home.arpa' is outside", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wildcard_above_the_permitted_names_is_refused()
    {
        var problem = Policy().Check([Dns("*.home.arpa")]);

        Assert.NotNull(problem);
        Assert.Contains("'*.home.arpa' is outside", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("a wildcard must lie below a permitted name", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcards_are_refused_when_the_policy_forbids_them()
    {
        var problem = Policy(allowWildcard: false).Check([Dns("*.music.home.arpa")]);

        Assert.NotNull(problem);
        Assert.Equal(AcmeErrorType.RejectedIdentifier, problem.Type);
        Assert.Contains("not a valid DNS name", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("music..home.arpa", "not a valid DNS name")]
    [InlineData("mu_sic.home.arpa", "not a valid DNS name")]
    [InlineData("music", "not a valid DNS name")]
    [InlineData("a.*.music.home.arpa", "not a valid DNS name")]
    [InlineData("Music.Home.Arpa", "order 'music.home.arpa' instead")]
    [InlineData("music.home.arpa.", "order 'music.home.arpa' instead")]
    public void Malformed_names_are_refused_with_the_reason(string value, string reason)
    {
        var problem = Policy().Check([Dns(value)]);

        Assert.NotNull(problem);
        Assert.Equal(AcmeErrorType.RejectedIdentifier, problem.Type);
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100.64.0.11", "100.64.0.11 is outside the addresses this CA may certify (100.64.0.10)")]
    [InlineData("::1", "::1 is outside the addresses this CA may certify (100.64.0.10)")]
    [InlineData("100.64.10", "order '100.64.0.10' instead")]
    [InlineData("music.home.arpa", "is not an IP address")]
    [InlineData("fe80::1%eth0", "is not an IP address")]
    public void IP_identifiers_outside_the_constraints_or_misspelled_are_refused(string value, string reason)
    {
        var problem = Policy().Check([Ip(value)]);

        Assert.NotNull(problem);
        Assert.Equal(AcmeErrorType.RejectedIdentifier, problem.Type);
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_identifier_type_is_unsupported()
    {
        var problem = Policy().Check([new AcmeIdentifier("email", "me@music.home.arpa")]);

        Assert.NotNull(problem);
        Assert.Equal(AcmeErrorType.UnsupportedIdentifier, problem.Type);
        Assert.Contains("'email' is not supported", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_identifier_is_refused()
    {
        var problem = Policy().Check([Dns("music.home.arpa"), Dns("music.home.arpa")]);

        Assert.NotNull(problem);
        Assert.Contains("listed twice", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_identifiers_are_refused_whole()
    {
        var many = Enumerable.Range(0, 101).Select(i => Dns($"n{i}.music.home.arpa")).ToList();

        var problem = Policy().Check(many);

        Assert.NotNull(problem);
        Assert.Equal(AcmeErrorType.RejectedIdentifier, problem.Type);
        Assert.Contains("101 identifiers; at most 100", problem.Detail, StringComparison.Ordinal);
        Assert.Null(Policy().Check(many.Take(100).ToList()));
    }

    [Fact]
    public void An_empty_order_is_malformed()
    {
        Assert.Equal(AcmeErrorType.Malformed, Policy().Check([])!.Type);
    }

    [Fact]
    public void Several_refusals_make_one_compound_problem()
    {
        var problem = Policy().Check([Dns("music.home.arpa"), Dns("evil.example"), Ip("10.0.0.1"), new AcmeIdentifier("email", "x@y.z")]);

        Assert.NotNull(problem);
        Assert.Equal(AcmeErrorType.Compound, problem.Type);
        Assert.Equal(
            [(AcmeErrorType.RejectedIdentifier, "evil.example"), (AcmeErrorType.RejectedIdentifier, "10.0.0.1"), (AcmeErrorType.UnsupportedIdentifier, "x@y.z")],
            problem.Subproblems!.Select(p => (p.Type, p.Identifier!.Value)));
        Assert.StartsWith("3 of the order's 4 identifiers are refused", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_policy_allows_signing_also_allows_and_what_it_refuses_signing_refuses()
    {
        string[] names = ["music.home.arpa", "x.storage.home.arpa", "*.music.home.arpa", "evilmusic.home.arpa", "home.arpa", "*.home.arpa", "storage.home.arpa.evil"];
        using var issuer = new LeafIssuer(authorities.Host);
        foreach (var name in names)
        {
            var accepted = Policy().Check([Dns(name)]) is null;
            var request = authorities.Request(name) with { AllowWildcard = true };
            var signed = true;
            try
            {
                issuer.Prepare(request);
            }
            catch (PolicyViolationException)
            {
                signed = false;
            }

            Assert.True(accepted == signed, $"{name}: order policy {(accepted ? "accepts" : "refuses")}, signing {(signed ? "accepts" : "refuses")}");
        }
    }
}
