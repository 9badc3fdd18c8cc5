using System.Diagnostics;
using Kith.Files;
using Kith.IntegrationTests.Support;
using Kith.Pki;

namespace Kith.IntegrationTests.Proxy;

/// <summary>
/// <c>kith proxy render</c> as a user runs it: the nginx config it prints for a machine and for its edge is accepted
/// by the real <c>nginx -t</c> with certificates from a kith PKI at the paths it names; an inventory that tries to
/// inject a directive is refused with a located error and writes nothing.
/// </summary>
public class ProxyRenderCliTests
{
    private static string Inventory(string certificates, string upstream = "http://127.0.0.1:4533/") => $"""
        domain: home.arpa
        machines:
          storage: {"{"} addresses: [100.64.0.10] {"}"}
          edge: {"{"} addresses: [100.64.0.1, "fd7a:115c:a1e0::1"], roles: [edge] {"}"}
        services:
          music:
            machine: storage
            endpoints: [music.home.arpa]
            upstream: "{upstream}"
            proxy: nginx
            mtls: true
            public: true
            files: {"{"} dir: "{certificates}" {"}"}
        proxy:
          real_ip_from: [100.64.0.0/10]
          http3: off
        """;

    [Fact]
    public async Task The_rendered_nginx_config_of_a_machine_and_of_its_edge_passes_nginx_t()
    {
        using var folder = new TempFolder();
        using var pki = new TestPki();
        var (root, _) = pki.WriteCas(folder);
        var certificates = folder.File("storage-certs/music");
        WriteEndpointFiles(pki, certificates);
        var edgeRoot = folder.File("edge-files");
        WriteEndpointFiles(pki, Path.Combine(edgeRoot, EndpointFiles.DefaultFolder("music.home.arpa").TrimStart('/')));
        var inventory = folder.Write("kith.yaml", Inventory(certificates));
        var storageConfig = folder.File("storage.conf");
        var edgeConfig = folder.File("edge.conf");

        var storage = await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "storage", "--for", "nginx", "--root-cert", root, "-o", storageConfig);
        var edge = await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "edge", "--for", "nginx", "--root-cert", root, "--files-root", edgeRoot, "--listen", "127.0.0.1", "-o", edgeConfig);

        Assert.True(storage.ExitCode == 0, storage.ToString());
        Assert.True(edge.ExitCode == 0, edge.ToString());
        var storageText = File.ReadAllText(storageConfig);
        Assert.Contains($"ssl_certificate {certificates}/fullchain.pem;", storageText, StringComparison.Ordinal);
        Assert.Contains($"ssl_client_certificate {root};", storageText, StringComparison.Ordinal);
        var edgeText = File.ReadAllText(edgeConfig);
        Assert.Contains($"ssl_certificate {edgeRoot}/var/lib/acme/music.home.arpa/fullchain.pem;", edgeText, StringComparison.Ordinal);
        Assert.Contains("server 100.64.0.10:443", edgeText, StringComparison.Ordinal);
        var (storageCode, storageLog) = await NginxTestAsync(folder.File("nginx-storage"), storageConfig);
        Assert.True(storageCode == 0, $"nginx -t refused the storage config:\n{storageLog}\n{storageText}");
        var (edgeCode, edgeLog) = await NginxTestAsync(folder.File("nginx-edge"), edgeConfig);
        Assert.True(edgeCode == 0, $"nginx -t refused the edge config:\n{edgeLog}\n{edgeText}");
    }

    [Fact]
    public async Task The_same_config_goes_to_stdout_without_o()
    {
        using var folder = new TempFolder();
        var inventory = folder.Write("kith.yaml", Inventory("/srv/tls/music"));

        var result = await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "storage", "--for", "nginx", "--nginx", "nginx");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("server_name music.home.arpa;", result.Out, StringComparison.Ordinal);
        Assert.Contains("ssl_client_certificate /var/lib/kith/root-ca.pem;", result.Out, StringComparison.Ordinal);
        Assert.Contains("ssl_stapling_responder http://127.0.0.1:8580/ocsp;", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/;evil", "/srv/tls/music", 9, "services.music.upstream", "';'")]
    [InlineData("http://127.0.0.1:4533/", "/srv/tls/mu}sic", 13, "services.music.files.dir", "'}'")]
    public async Task An_inventory_that_would_inject_a_directive_is_refused_and_nothing_is_written(string upstream, string certificates, int line, string field, string character)
    {
        using var folder = new TempFolder();
        var inventory = folder.Write("kith.yaml", Inventory(certificates, upstream));
        var output = folder.File("kith.conf");

        var result = await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "storage", "--for", "nginx", "-o", output);

        CliRun.AssertCleanFailure(result, 1, $"kith.yaml:{line}:", field, character, "proxy config");
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task An_unknown_machine_or_format_is_an_error()
    {
        using var folder = new TempFolder();
        var inventory = folder.Write("kith.yaml", Inventory("/srv/tls/music"));

        CliRun.AssertCleanFailure(await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "nas", "--for", "nginx"), 1, "--machine nas", "machines: storage, edge");
        CliRun.AssertUsageError(await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "storage", "--for", "apache"), "apache");
        CliRun.AssertUsageError(await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "storage", "--for", "nginx", "--listen", "10.1"), "--listen 10.1");
        CliRun.AssertUsageError(await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "storage", "--for", "nginx", "--root-cert", ""), "--root-cert: empty");
        CliRun.AssertUsageError(await CliProcess.RunAsync(null, "-f", inventory, "proxy", "render", "--machine", "storage", "--for", "nginx", "--files-root", " "), "--files-root: empty");
    }

    // cert.pem, key.pem, chain.pem and fullchain.pem for music.home.arpa from the test Host CA, as the agent writes them.
    private static void WriteEndpointFiles(TestPki pki, string folder)
    {
        Directory.CreateDirectory(folder);
        using var key = Keys.Create(KeyAlgorithm.EcdsaP256);
        using var issuer = new LeafIssuer(pki.Host);
        var issued = issuer.Issue(TestPki.Request(key, CertificateUsage.Server, "music.home.arpa"));
        var files = new EndpointFiles(issued.ToPem(), key.ExportPkcs8PrivateKeyPem(), Pem.Encode("CERTIFICATE", pki.Host.Certificate.RawData));
        foreach (var (name, content, _) in files.All())
        {
            File.WriteAllText(Path.Combine(folder, name), content);
        }
    }

    // The rendered file is an http-context include, as in /etc/nginx/conf.d: wrap it the way nginx.conf does.
    private static async Task<(int ExitCode, string Log)> NginxTestAsync(string prefix, string include)
    {
        Directory.CreateDirectory(prefix);
        var errorLog = Path.Combine(prefix, "error.log");
        var conf = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(conf, $$"""
            pid {{Path.Combine(prefix, "nginx.pid")}};
            error_log {{errorLog}};
            events { worker_connections 64; }
            http {
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                include {{include}};
            }
            """);
        var start = new ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t", "-p", prefix, "-c", conf, "-e", errorLog })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
