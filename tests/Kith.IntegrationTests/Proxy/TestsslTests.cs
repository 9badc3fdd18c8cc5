using System.Diagnostics;
using System.Text.Json;
using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// testssl.sh (Debian's, 3.0) against kith's rendered nginx on 127.0.0.1, judged from its JSON findings: nothing
/// HIGH or CRITICAL, only TLS 1.2 and 1.3, the full chain served. Sections run: protocols, cipher categories, forward
/// secrecy, server preferences, server defaults (certificate and chain) and vulnerabilities; the per-cipher scan and the
/// client simulations are left out (docs/proxy-nginx.md, "What testssl.sh reports").
/// </summary>
public class TestsslTests
{
    [Fact]
    public async Task Testssl_finds_nothing_high_or_critical_only_tls_1_2_and_1_3_and_the_full_chain()
    {
        using var folder = new TempFolder();
        using var pki = new ProxyPki(folder);
        await using var music = new EchoUpstream("music");
        var config = ProxySites.Config(
            "storage",
            pki,
            ProxySites.Settings(),
            null,
            ProxySites.Site("music", pki.WriteEndpoint("music", CertificateUsage.Server, "music.home.arpa"), ProxySites.Plain(music), ["music.home.arpa"]));
        using var nginx = await RenderedNginx.StartAsync(folder.File("nginx"), config);
        var json = folder.File("testssl.json");

        var (code, output) = await RunTestsslAsync(json, pki.RootCertificate, $"music.home.arpa:{nginx.HttpsPort}");

        Assert.True(File.Exists(json), $"testssl exit {code}\n{output}\n{nginx.Log}");
        var findings = Findings(json);
        var severe = findings.Where(f => f.Severity is "HIGH" or "CRITICAL").Select(f => $"{f.Id} {f.Severity}: {f.Finding}").ToList();
        Assert.True(severe.Count == 0, string.Join('\n', severe) + "\n" + output);
        foreach (var old in new[] { "SSLv2", "SSLv3", "TLS1", "TLS1_1" })
        {
            Assert.StartsWith("not offered", Finding(findings, old), StringComparison.Ordinal);
        }

        Assert.StartsWith("offered", Finding(findings, "TLS1_2"), StringComparison.Ordinal);
        Assert.StartsWith("offered", Finding(findings, "TLS1_3"), StringComparison.Ordinal);
        Assert.Equal("2", Finding(findings, "certs_countServer"));
        Assert.StartsWith("passed", Finding(findings, "cert_chain_of_trust"), StringComparison.Ordinal);
        Assert.Equal("no", Finding(findings, "certs_list_ordering_problem"));
    }

    private static string Finding(IReadOnlyList<TestsslFinding> findings, string id) =>
        findings.FirstOrDefault(f => f.Id == id)?.Finding ?? throw new Xunit.Sdk.XunitException($"testssl reported no '{id}'");

    private static List<TestsslFinding> Findings(string json)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        return [.. document.RootElement.EnumerateArray().Select(e => new TestsslFinding(
            e.GetProperty("id").GetString() ?? "",
            e.GetProperty("severity").GetString() ?? "",
            e.GetProperty("finding").GetString() ?? ""))];
    }

    private static async Task<(int ExitCode, string Output)> RunTestsslAsync(string json, string root, string target)
    {
        var start = new ProcessStartInfo("testssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[]
        {
            "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none", "--ip", "127.0.0.1",
            "--openssl-timeout", "5", "--connect-timeout", "5", "--add-ca", root, "--jsonfile", json,
            "--protocols", "--std", "--fs", "--server-preference", "--server-defaults", "--vulnerable",
            target,
        })
        {
            start.ArgumentList.Add(argument);
        }

        // kith's leaves live 7 days and are renewed well before the end: testssl's 30/60-day warnings are for public CAs.
        start.Environment["DAYS2WARN1"] = "2";
        start.Environment["DAYS2WARN2"] = "1";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("testssl ran longer than 15 minutes");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private sealed record TestsslFinding(string Id, string Severity, string Finding);
}
