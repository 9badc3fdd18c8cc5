namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>
/// Debian's certbot against one ACME directory, with its config, work and log folders under
/// <paramref name="folder"/> (nothing outside it is read or written) and only <paramref name="caFile"/> trusted
/// for the server's HTTPS. Every run is non-interactive and killed at <see cref="Timeout"/>.
/// </summary>
internal sealed class Certbot(Uri directoryUrl, string caFile, string folder)
{
    private readonly string folder = Directory.CreateDirectory(folder).FullName;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    public string ConfigFolder => Path.Combine(folder, "config");

    /// <summary>The debug log certbot writes (every request and response), for failure messages.</summary>
    public string LogFile => Path.Combine(folder, "logs", "letsencrypt.log");

    /// <summary>
    /// certonly with the standalone authenticator: certbot answers http-01 itself on 127.0.0.1:<paramref name="httpPort"/>.
    /// The certificate lineage is named after the first name.
    /// </summary>
    public async Task<IssuanceRun> CertonlyAsync(int httpPort, IReadOnlyList<string> names, ExternalAccount? externalAccount = null)
    {
        var arguments = new List<string>
        {
            "certonly", "--standalone", "--preferred-challenges", "http",
            "--http-01-address", "127.0.0.1", "--http-01-port", $"{httpPort}",
            "--server", directoryUrl.ToString(),
            "--agree-tos", "--register-unsafely-without-email",
        };
        foreach (var name in names)
        {
            arguments.AddRange(["-d", name]);
        }

        if (externalAccount is not null)
        {
            arguments.AddRange(["--eab-kid", externalAccount.KeyId, "--eab-hmac-key", externalAccount.HmacKey]);
        }

        var run = await RunAsync(arguments);
        return new IssuanceRun(run, Files(names[0]));
    }

    /// <summary>
    /// certonly with the dns-rfc2136 authenticator: TSIG-signed RFC 2136 updates to the server named in
    /// <paramref name="credentialsFile"/> (dns_rfc2136_server, _port, _name, _secret, _algorithm), which certbot
    /// also asks for the zone's SOA; one second of propagation wait instead of a minute.
    /// </summary>
    public async Task<IssuanceRun> CertonlyRfc2136Async(string credentialsFile, IReadOnlyList<string> names)
    {
        var arguments = new List<string>
        {
            "certonly", "--dns-rfc2136", "--dns-rfc2136-credentials", credentialsFile, "--dns-rfc2136-propagation-seconds", "1",
            "--server", directoryUrl.ToString(),
            "--agree-tos", "--register-unsafely-without-email",
        };
        foreach (var name in names)
        {
            arguments.AddRange(["-d", name]);
        }

        var run = await RunAsync(arguments);
        return new IssuanceRun(run, Files(names[0]));
    }

    /// <summary>renew --force-renewal of every lineage (the ports and server saved at certonly are reused).</summary>
    public async Task<IssuanceRun> RenewAsync(string lineage)
    {
        // Without --no-random-sleep-on-renew a non-interactive renew first sleeps up to 8 minutes.
        var run = await RunAsync(["renew", "--force-renewal", "--no-random-sleep-on-renew"]);
        return new IssuanceRun(run, Files(lineage));
    }

    /// <summary>
    /// revoke --cert-path: signed with the account key, or with the certificate's own key when
    /// <paramref name="certificateKey"/> is given (--key-path). <paramref name="reason"/> is certbot's word
    /// (unspecified, keycompromise, affiliationchanged, superseded, cessationofoperation).
    /// </summary>
    public Task<ClientRun> RevokeAsync(string certificate, string reason, string? certificateKey = null)
    {
        var arguments = new List<string>
        {
            "revoke", "--cert-path", certificate, "--reason", reason, "--no-delete-after-revoke", "--server", directoryUrl.ToString(),
        };
        if (certificateKey is not null)
        {
            arguments.AddRange(["--key-path", certificateKey]);
        }

        return RunAsync(arguments);
    }

    /// <summary>The files of a lineage under config/live/NAME.</summary>
    public IssuedFiles Files(string lineage)
    {
        var live = Path.Combine(ConfigFolder, "live", lineage);
        return new IssuedFiles(
            Path.Combine(live, "cert.pem"), Path.Combine(live, "chain.pem"), Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"));
    }

    private async Task<ClientRun> RunAsync(List<string> arguments)
    {
        arguments.AddRange([
            "--config-dir", ConfigFolder,
            "--work-dir", Path.Combine(folder, "work"),
            "--logs-dir", Path.Combine(folder, "logs"),
            "--non-interactive",
        ]);
        var environment = new Dictionary<string, string> { ["REQUESTS_CA_BUNDLE"] = caFile };
        var run = await ClientProcess.RunAsync("certbot", arguments, environment, Timeout, folder);

        // certbot prints a summary; the reasons (the server's problem documents) are in its debug log.
        return run.Succeeded || !File.Exists(LogFile) ? run : run with { Output = run.Output + "\n--- certbot's log (tail) ---\n" + Tail(LogFile, 60) };
    }

    private static string Tail(string path, int lines) => string.Join('\n', File.ReadLines(path).TakeLast(lines));
}
