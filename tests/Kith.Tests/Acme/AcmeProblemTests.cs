using System.Text.Json;
using Kith.Acme;

namespace Kith.Tests.Acme;

public sealed class AcmeProblemTests
{
    [Theory]
    [InlineData(AcmeErrorType.BadNonce, "urn:ietf:params:acme:error:badNonce", 400)]
    [InlineData(AcmeErrorType.BadCsr, "urn:ietf:params:acme:error:badCSR", 400)]
    [InlineData(AcmeErrorType.Unauthorized, "urn:ietf:params:acme:error:unauthorized", 403)]
    [InlineData(AcmeErrorType.AccountDoesNotExist, "urn:ietf:params:acme:error:accountDoesNotExist", 400)]
    [InlineData(AcmeErrorType.OrderNotReady, "urn:ietf:params:acme:error:orderNotReady", 403)]
    [InlineData(AcmeErrorType.RateLimited, "urn:ietf:params:acme:error:rateLimited", 429)]
    [InlineData(AcmeErrorType.ServerInternal, "urn:ietf:params:acme:error:serverInternal", 500)]
    [InlineData(AcmeErrorType.RejectedIdentifier, "urn:ietf:params:acme:error:rejectedIdentifier", 400)]
    public void Error_types_have_their_RFC_8555_names_and_statuses(AcmeErrorType type, string urn, int status)
    {
        Assert.Equal(urn, type.Urn());
        Assert.Equal(status, type.DefaultStatus());
    }

    [Fact]
    public void Every_error_type_of_RFC_8555_is_named()
    {
        string[] rfc =
        [
            "accountDoesNotExist", "alreadyRevoked", "badCSR", "badNonce", "badPublicKey", "badRevocationReason",
            "badSignatureAlgorithm", "caa", "compound", "connection", "dns", "externalAccountRequired",
            "incorrectResponse", "invalidContact", "malformed", "orderNotReady", "rateLimited", "rejectedIdentifier",
            "serverInternal", "tls", "unauthorized", "unsupportedContact", "unsupportedIdentifier", "userActionRequired",
        ];

        Assert.Equal(rfc.Order(StringComparer.Ordinal), Enum.GetValues<AcmeErrorType>().Select(t => t.Name()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_simple_problem_has_type_detail_and_status_only()
    {
        var json = JsonDocument.Parse(new AcmeProblem(AcmeErrorType.BadNonce, "the nonce was already used").ToJson()).RootElement;

        Assert.Equal("urn:ietf:params:acme:error:badNonce", json.GetProperty("type").GetString());
        Assert.Equal("the nonce was already used", json.GetProperty("detail").GetString());
        Assert.Equal(400, json.GetProperty("status").GetInt32());
        Assert.Equal(3, json.EnumerateObject().Count());
    }

    [Fact]
    public void A_compound_problem_lists_subproblems_with_their_identifiers()
    {
        var problem = new AcmeProblem(
            AcmeErrorType.Compound,
            "two identifiers are refused",
            Subproblems:
            [
                new AcmeProblem(AcmeErrorType.RejectedIdentifier, "outside", new AcmeIdentifier("dns", "evil.example")),
                new AcmeProblem(AcmeErrorType.UnsupportedIdentifier, "no email", new AcmeIdentifier("email", "a@b.c")),
            ],
            Status: 403);

        var json = JsonDocument.Parse(problem.ToJson()).RootElement;

        Assert.Equal(403, json.GetProperty("status").GetInt32());
        var subproblems = json.GetProperty("subproblems").EnumerateArray().ToList();
        Assert.Equal(2, subproblems.Count);
        Assert.Equal("urn:ietf:params:acme:error:rejectedIdentifier", subproblems[0].GetProperty("type").GetString());
        Assert.Equal("outside", subproblems[0].GetProperty("detail").GetString());
        Assert.Equal("dns", subproblems[0].GetProperty("identifier").GetProperty("type").GetString());
        Assert.Equal("evil.example", subproblems[0].GetProperty("identifier").GetProperty("value").GetString());
        Assert.False(subproblems[0].TryGetProperty("status", out _));
        Assert.Equal("email", subproblems[1].GetProperty("identifier").GetProperty("type").GetString());
    }
}
