using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

public class InspectTests
{
    [Fact]
    public async Task Inspect_on_an_issued_fullchain_shows_both_certificates_and_OK()
    {
        using var kith = await AppliedAsync();
        var fullchain = Path.Combine(Web(kith), "fullchain.pem");

        var result = await kith.SucceedAsync("inspect", fullchain);

        Assert.Contains("[0] CN=www.home.arpa", result.Out, StringComparison.Ordinal);
        Assert.Contains("[1] ", result.Out, StringComparison.Ordinal);
        Assert.Contains("verification: OK", result.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Err);

        using var json = JsonDocument.Parse((await kith.SucceedAsync("inspect", fullchain, "--json")).Out);
        Assert.True(json.RootElement.GetProperty("trusted").GetBoolean());
        Assert.Equal(2, json.RootElement.GetProperty("chain").GetArrayLength());
    }

    [Fact]
    public async Task Inspect_on_a_certificate_from_an_unrelated_root_fails()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var certificate = kith.File("other.pem");
        var (code, output) = Openssl.Run(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=www.home.arpa", "-days", "1", "-keyout", kith.File("other.key"), "-out", certificate);
        Assert.True(code == 0, output);

        var result = await kith.KithAsync("inspect", certificate);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("CN=www.home.arpa", result.Out, StringComparison.Ordinal);
        Assert.Contains("FAILED", result.Out + result.Err, StringComparison.Ordinal);
        CliRun.AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Inspect_of_a_live_tls_server_shows_the_chain_it_presents_and_OK()
    {
        using var kith = await AppliedAsync();
        var web = Web(kith);
        using var server = await OpensslServer.StartAsync(Path.Combine(web, "cert.pem"), Path.Combine(web, "key.pem"), Path.Combine(web, "chain.pem"));

        var result = await kith.SucceedAsync("inspect", $"127.0.0.1:{server.Port}", "--servername", "www.home.arpa");

        Assert.Contains("[0] CN=www.home.arpa", result.Out, StringComparison.Ordinal);
        Assert.Contains("[1] ", result.Out, StringComparison.Ordinal);
        Assert.Contains("connection: Tls13", result.Out, StringComparison.Ordinal);
        Assert.Contains("verification: OK", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_of_a_server_that_accepts_and_never_answers_gives_up_after_the_timeout()
    {
        using var kith = new KithWorkspace();
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var started = System.Diagnostics.Stopwatch.StartNew();

        var result = await kith.KithAsync("inspect", $"127.0.0.1:{port}", "--timeout", "1s");

        CliRun.AssertCleanFailure(result, 1, $"127.0.0.1:{port}", "no TLS handshake within 1 s");
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Inspect_of_a_port_where_nothing_listens_fails_with_one_line()
    {
        using var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        var port = Support.TestProcesses.FreeLoopbackPort();

        var result = await kith.KithAsync("inspect", $"127.0.0.1:{port}");

        CliRun.AssertCleanFailure(result, 1, $"127.0.0.1:{port}", "cannot connect");
    }

    private static async Task<KithWorkspace> AppliedAsync()
    {
        var kith = new KithWorkspace();
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        return kith;
    }

    private static string Web(KithWorkspace kith) => kith.EndpointFolder("server", "/var/lib/acme/www.home.arpa");
}
