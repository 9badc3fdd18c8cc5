using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// Debian's caddy serving one site on 127.0.0.1 with a certificate it gets by ACME from <c>directoryUrl</c>, its
/// admin API off and every file it writes (storage, HOME, XDG folders) in a temporary folder removed on dispose.
/// Caddy answers http-01 on <see cref="HttpPort"/> and tls-alpn-01 on <see cref="HttpsPort"/>, and chooses which.
/// </summary>
internal sealed class CaddyServer : IDisposable
{
    private readonly TempFolder folder;
    private readonly ClientProcess process;

    private CaddyServer(TempFolder folder, ClientProcess process, string name, int httpPort, int httpsPort)
    {
        this.folder = folder;
        this.process = process;
        Name = name;
        HttpPort = httpPort;
        HttpsPort = httpsPort;
    }

    /// <summary>The site's name, the only identifier Caddy orders.</summary>
    public string Name { get; }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public string StorageFolder => folder.File("storage");

    /// <summary>Caddy's log so far.</summary>
    public string Log => process.Output;

    /// <summary>
    /// Writes the Caddyfile and starts caddy. <paramref name="httpPort"/> and <paramref name="httpsPort"/> are where the
    /// ACME server under test validates (null: free ports, for a server that validates anywhere).
    /// </summary>
    public static CaddyServer Start(Uri directoryUrl, string caFile, string name, int? httpPort = null, int? httpsPort = null, string email = "acme-test@example.org")
    {
        var folder = new TempFolder();
        var http = httpPort ?? TestProcesses.FreeLoopbackPort();
        var https = httpsPort ?? TestProcesses.FreeLoopbackPort();
        var caddyfile = folder.Write("Caddyfile", $$"""
            {
            	admin off
            	http_port {{http}}
            	https_port {{https}}
            	storage file_system {
            		root {{folder.File("storage")}}
            	}
            	acme_ca {{directoryUrl}}
            	acme_ca_root {{caFile}}
            	skip_install_trust
            	email {{email}}
            }

            {{name}} {
            	bind 127.0.0.1
            	respond "ok"
            }

            """);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Directory.CreateDirectory(folder.File("home")).FullName,
            ["XDG_DATA_HOME"] = Directory.CreateDirectory(folder.File("data")).FullName,
            ["XDG_CONFIG_HOME"] = Directory.CreateDirectory(folder.File("config")).FullName,
        };
        var process = ClientProcess.Start("caddy", ["run", "--config", caddyfile, "--adapter", "caddyfile"], environment, folder.Path);
        return new CaddyServer(folder, process, name, http, https);
    }

    /// <summary>
    /// Waits until the certificate for <see cref="Name"/> is in storage (certificates/ISSUER/NAME/NAME.crt: the leaf and
    /// its chain) and returns its path; fails with Caddy's log when Caddy exits or <paramref name="within"/> passes.
    /// </summary>
    public async Task<string> WaitForCertificateAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var certificates = Path.Combine(StorageFolder, "certificates");
        while (true)
        {
            var found = Directory.Exists(certificates)
                ? Directory.EnumerateFiles(certificates, Name + ".crt", SearchOption.AllDirectories).FirstOrDefault()
                : null;
            if (found is not null && new FileInfo(found).Length > 0)
            {
                return found;
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"caddy exited with {process.ExitCode} before it had a certificate for {Name}\n{Log}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"caddy had no certificate for {Name} within {within.TotalSeconds:0} s\n{Log}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        process.Dispose();
        folder.Dispose();
    }
}
