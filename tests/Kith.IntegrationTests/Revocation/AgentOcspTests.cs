using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Kith.Enrollment;
using Kith.IntegrationTests.Support;
using Kith.Pki;
using Org.BouncyCastle.Ocsp;

namespace Kith.IntegrationTests.Revocation;

/// <summary>
/// The agent's OCSP responder as clients see it: `openssl ocsp` over plain HTTP for a live, a revoked and a forged
/// leaf; GET with the caching headers; malformed requests; idle and garbage connections.
/// </summary>
public class AgentOcspTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Openssl_ocsp_gets_good_then_revoked_with_its_reason_and_unknown_for_a_leaf_not_in_the_log_all_verified()
    {
        using var fleet = await RevocationFleet.StartAsync();
        var forged = fleet.Kith.Write("forged.pem", Forge(fleet));

        var good = Query(fleet, fleet.Cert("app"));
        var goodWithoutNonce = Query(fleet, fleet.Cert("app"), "-no_nonce");
        var unknown = Query(fleet, forged);

        Assert.Matches(@"app[/\\]cert\.pem: good\s+This Update: .*\s+Next Update: ", good);
        // openssl sends a nonce by default and warns when the answer does not echo it.
        Assert.DoesNotContain("nonce", good, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"app[/\\]cert\.pem: good", goodWithoutNonce);
        Assert.Matches(@"forged\.pem: unknown", unknown);

        var revoke = await CliRun.RunAsync("revoke", "--name", "app.home.arpa", "--reason", "superseded", "--dir", fleet.AgentFolder);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        // The agent notices the store's change within its 2 s poll and drops its cached answers.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string revoked;
        while (!(revoked = Query(fleet, fleet.Cert("app"), "-no_nonce")).Contains(": revoked", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"still not revoked after 15 s:\n{revoked}\n{fleet.Agent.Log}");
            await Task.Delay(200, Ct);
        }

        Assert.Matches(@"app[/\\]cert\.pem: revoked\s+This Update: .*\s+Next Update: .*\s+Reason: superseded\s+Revocation Time: ", revoked);
        Assert.Matches(@"ops[/\\]cert\.pem: good", Query(fleet, fleet.Cert("ops")));
    }

    [Fact]
    public async Task A_GET_request_is_answered_with_RFC_5019_caching_headers_and_the_same_bytes_when_repeated()
    {
        using var fleet = await RevocationFleet.StartAsync();
        var request = RequestFor(fleet, fleet.Cert("ops"));
        var url = new Uri("/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(request)), UriKind.Relative);

        using var first = await fleet.Http.GetAsync(url, Ct);
        var body = await first.Content.ReadAsByteArrayAsync(Ct);
        using var second = await fleet.Http.GetAsync(new Uri("/ocsp/" + Convert.ToBase64String(request), UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/ocsp-response", first.Content.Headers.ContentType?.MediaType);
        var cache = first.Headers.CacheControl!;
        Assert.True(cache.Public && cache.NoTransform && cache.MustRevalidate, cache.ToString());
        Assert.InRange(cache.MaxAge!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        Assert.NotNull(first.Headers.ETag);
        var single = Assert.Single(((BasicOcspResp)new OcspResp(body).GetResponseObject()).Responses);
        Assert.Null(single.GetCertStatus()); // good
        Assert.Equal(new DateTimeOffset(single.ThisUpdate, TimeSpan.Zero), first.Content.Headers.LastModified);
        Assert.Equal(new DateTimeOffset(single.NextUpdate!.Value, TimeSpan.Zero), first.Content.Headers.Expires);
        Assert.Equal(body, await second.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Malformed_requests_over_http_get_malformedRequest_never_a_500()
    {
        using var fleet = await RevocationFleet.StartAsync();
        var valid = RequestFor(fleet, fleet.Cert("ops"));
        var random = new byte[200];
        new Random(5).NextBytes(random);

        foreach (var body in new[] { random, valid[..^7], [.. valid, 0x00], new byte[70_000] })
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/ocsp-request");
            using var response = await fleet.Http.PostAsync(new Uri("/ocsp", UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(OcspRespStatus.MalformedRequest, new OcspResp(await response.Content.ReadAsByteArrayAsync(Ct)).Status);
            Assert.True(response.Headers.CacheControl?.NoCache, response.Headers.CacheControl?.ToString());
        }

        foreach (var path in new[] { "/ocsp/not*base64", "/ocsp/" + Convert.ToBase64String(random), "/ocsp/" + Convert.ToBase64String(valid[..^3]) })
        {
            using var response = await fleet.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(OcspRespStatus.MalformedRequest, new OcspResp(await response.Content.ReadAsByteArrayAsync(Ct)).Status);
        }

        using var elsewhere = await fleet.Http.GetAsync(new Uri("/ocspx/abc", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Twenty_silent_or_garbage_connections_do_not_stall_an_openssl_query()
    {
        using var fleet = await RevocationFleet.StartAsync();
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, fleet.CrlPort, Ct);
                if (i % 2 == 1)
                {
                    await socket.SendAsync("\x16\x03\x01garbage\r\nPOST /ocsp HTTP/1.1\r\nContent-Length: 99999\r\n\r\n0"u8.ToArray(), Ct);
                }

                sockets.Add(socket);
            }

            var watch = Stopwatch.StartNew();
            var answer = Query(fleet, fleet.Cert("ops"));
            watch.Stop();

            Assert.Matches(@"ops[/\\]cert\.pem: good", answer);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"openssl ocsp took {watch.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>openssl ocsp against the agent, verifying the response up to the Root; the whole output.</summary>
    private static string Query(RevocationFleet fleet, string certPem, params string[] extra)
    {
        var (code, output) = Openssl.Run(
            [
                "ocsp", "-issuer", fleet.HostCaPem, "-cert", certPem, "-url", $"http://127.0.0.1:{fleet.CrlPort}/ocsp",
                "-CAfile", fleet.Kith.RootCertificate, "-timeout", "10", .. extra,
            ]);
        Assert.True(code == 0, output);
        // openssl prints the status on stdout and the verdict on stderr.
        Assert.Contains("Response verify OK", output, StringComparison.Ordinal);
        return output;
    }

    /// <summary>A request without a nonce for one leaf, made by BouncyCastle (SHA-1 CertID, as openssl sends).</summary>
    private static byte[] RequestFor(RevocationFleet fleet, string certPem)
    {
        var issuer = new Org.BouncyCastle.X509.X509Certificate(X509CertificateLoader.LoadCertificateFromFile(fleet.HostCaPem).RawData);
        var leaf = new Org.BouncyCastle.X509.X509Certificate(X509CertificateLoader.LoadCertificateFromFile(certPem).RawData);
        var generator = new OcspReqGenerator();
        generator.AddRequest(new CertificateID(CertificateID.DigestSha1, issuer, leaf.SerialNumber));
        return generator.Generate().GetEncoded();
    }

    /// <summary>A leaf signed with the Host CA key from the agent folder but never logged.</summary>
    private static string Forge(RevocationFleet fleet)
    {
        var folder = new AgentFolder(fleet.AgentFolder);
        using var key = folder.LoadHostCaKey();
        using var host = new CertificateAuthority("alpha", X509CertificateLoader.LoadCertificateFromFile(fleet.HostCaPem), folder.LoadHostCaKey());
        return ForgedLeaf.Sign(host, key, "forged.home.arpa", "DNS:forged.home.arpa");
    }
}
