using System.Diagnostics;
using System.Net;
using System.Text;
using Kith.Acme;
using Kith.Acme.Validation;

namespace Kith.IntegrationTests.Acme;

public sealed class Http01ValidatorTests
{
    private static readonly ChallengeRequest Request = AcmeTestNetwork.Request();

    private static string Url(int port) => $"http://{AcmeTestNetwork.Name}:{port}/.well-known/acme-challenge/{Request.Token}";

    [Fact]
    public async Task Body_equal_to_the_key_authorization_after_trimming_is_valid_and_the_host_header_is_the_name()
    {
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, RawHttpServer.Answer(200, "  " + Request.KeyAuthorization + "\r\n"));

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.Detail);
        var head = Assert.Single(server.Requests);
        Assert.StartsWith($"GET /.well-known/acme-challenge/{Request.Token} HTTP/1.1\r\n", head);
        Assert.Contains($"\r\nHost: {AcmeTestNetwork.Name}:{server.Port}\r\n", head);
    }

    [Fact]
    public async Task Not_found_is_unauthorized_and_names_the_url_and_status()
    {
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, RawHttpServer.Answer(404, "no such file"));

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Unauthorized, result.ProblemType);
        Assert.Equal($"{Url(server.Port)} answered 404", result.Detail);
    }

    [Fact]
    public async Task Wrong_body_is_incorrect_response_and_shows_what_was_answered()
    {
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, RawHttpServer.Answer(200, "T0k3n.someone-else"));

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.IncorrectResponse, result.ProblemType);
        Assert.Equal($"{Url(server.Port)} answered \"T0k3n.someone-else\", expected the key authorization \"{Request.KeyAuthorization}\"", result.Detail);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Oversized_body_is_rejected_without_waiting_for_the_rest(bool declareLength)
    {
        // 64 KiB of a 1 MiB body, then the server stalls: reading it all would hang until the 10 s timeout.
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, async (_, stream, token) =>
        {
            var head = declareLength
                ? "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), token);
            await stream.WriteAsync(new byte[64 * 1024].Select(_ => (byte)'a').ToArray(), token);
            await Task.Delay(Timeout.Infinite, token);
        });
        var watch = Stopwatch.StartNew();

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.IncorrectResponse, result.ProblemType);
        Assert.Contains("than the 8192 bytes allowed", result.Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Server_that_accepts_and_says_nothing_hits_the_total_timeout()
    {
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, (_, _, token) => Task.Delay(Timeout.Infinite, token));
        var watch = Stopwatch.StartNew();

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port, TimeSpan.FromSeconds(1))).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Connection, result.ProblemType);
        Assert.Equal($"{Url(server.Port)} did not answer within 1 s", result.Detail);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Redirect_to_a_private_address_is_refused()
    {
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, RawHttpServer.Answer(302, "", "Location: http://10.0.0.1/.well-known/acme-challenge/T0k3n"));

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Connection, result.ProblemType);
        Assert.Equal($"{Url(server.Port)} redirected to http://10.0.0.1/.well-known/acme-challenge/T0k3n, which is address 10.0.0.1, not an allowed address; not following", result.Detail);
    }

    [Fact]
    public async Task Redirect_to_a_port_not_allowed_is_refused_without_connecting()
    {
        await using var other = new RawHttpServer(IPAddress.Loopback, 0, RawHttpServer.Answer(200, Request.KeyAuthorization));
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, RawHttpServer.Answer(301, "", $"Location: http://127.0.0.1:{other.Port}/key"));

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Connection, result.ProblemType);
        Assert.Contains($"which uses port {other.Port}, not one of 80, 443, {server.Port}; not following", result.Detail);
        Assert.Equal(0, other.Connections);
    }

    [Fact]
    public async Task Redirect_to_a_name_that_resolves_to_a_forbidden_address_never_connects_there()
    {
        var port = Support.TestProcesses.FreeLoopbackPort();
        // Same port, other loopback address: only the allowed-address check at connect time keeps the validator out.
        await using var forbidden = new RawHttpServer(IPAddress.Parse("127.0.0.2"), port, RawHttpServer.Answer(200, Request.KeyAuthorization));
        await using var server = new RawHttpServer(IPAddress.Loopback, port, RawHttpServer.Answer(302, "", $"Location: http://{AcmeTestNetwork.ForbiddenName}:{port}/key"));

        var result = await new Http01Validator(AcmeTestNetwork.Options(port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal(AcmeErrorType.Connection, result.ProblemType);
        Assert.Equal($"http://{AcmeTestNetwork.ForbiddenName}:{port}/key: {AcmeTestNetwork.ForbiddenName} resolves to 127.0.0.2, which is not an allowed address; not connecting", result.Detail);
        Assert.Equal(0, forbidden.Connections);
    }

    [Fact]
    public async Task Relative_redirect_on_the_same_server_is_followed()
    {
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, (head, stream, token) => head.StartsWith("GET /moved ", StringComparison.Ordinal)
            ? RawHttpServer.Answer(200, Request.KeyAuthorization)(head, stream, token)
            : RawHttpServer.Answer(302, "", "Location: /moved")(head, stream, token));

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Redirect_loop_stops_after_ten_hops()
    {
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, RawHttpServer.Answer(302, "", "Location: /again"));

        var result = await new Http01Validator(AcmeTestNetwork.Options(server.Port)).ValidateAsync(Request, TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Equal($"{Url(server.Port)} redirected more than 10 times", result.Detail);
        Assert.Equal(11, server.Requests.Count);
    }
}
