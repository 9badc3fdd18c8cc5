namespace Kith.IntegrationTests.Acme.Clients;

/// <summary>How lego proves control of the names: which challenge it answers, and where.</summary>
internal abstract record LegoChallenge
{
    /// <summary>http-01: lego serves the token on 127.0.0.1:<paramref name="Port"/>.</summary>
    public sealed record Http(int Port) : LegoChallenge;

    /// <summary>tls-alpn-01: lego answers the ACME ALPN handshake on 127.0.0.1:<paramref name="Port"/>.</summary>
    public sealed record TlsAlpn(int Port) : LegoChallenge;

    /// <summary>dns-01: lego's exec provider runs <paramref name="ExecScript"/> to set and clear TXT records on <paramref name="Resolver"/> ("127.0.0.1:PORT").</summary>
    public sealed record Dns(string ExecScript, string Resolver) : LegoChallenge;

    /// <summary>
    /// dns-01 through lego's rfc2136 provider: TSIG-signed (hmac-sha256) updates to <paramref name="Nameserver"/>
    /// ("127.0.0.1:PORT"), which lego also asks for the zone's SOA.
    /// </summary>
    public sealed record Rfc2136(string Nameserver, string KeyName, string Secret) : LegoChallenge;
}

/// <summary>
/// Debian's lego (4.9.1: no ARI) against one ACME directory, its account and certificates under
/// <paramref name="folder"/> (--path), only <paramref name="caFile"/> trusted for the server's HTTPS.
/// Every run is killed at <see cref="Timeout"/>.
/// </summary>
internal sealed class Lego(Uri directoryUrl, string caFile, string folder)
{
    private readonly string folder = Directory.CreateDirectory(folder).FullName;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    public string Email { get; init; } = "acme-test@example.org";

    /// <summary>lego run: a new certificate for <paramref name="names"/>; the files are named after the first name.</summary>
    public async Task<IssuanceRun> RunAsync(LegoChallenge challenge, IReadOnlyList<string> names, ExternalAccount? externalAccount = null)
    {
        var run = await LegoAsync(challenge, names, externalAccount, ["run"]);
        return new IssuanceRun(run, Files(names[0]));
    }

    /// <summary>
    /// lego renew --days <paramref name="days"/>: renews when the certificate expires within that many days (without the
    /// random sleep of up to 8 minutes lego otherwise takes first).
    /// </summary>
    public async Task<IssuanceRun> RenewAsync(LegoChallenge challenge, IReadOnlyList<string> names, int days)
    {
        var run = await LegoAsync(challenge, names, null, ["renew", "--days", $"{days}", "--no-random-sleep"]);
        return new IssuanceRun(run, Files(names[0]));
    }

    /// <summary>lego revoke (signed with the account key) of the certificate saved for <paramref name="names"/>; the files are kept.</summary>
    public Task<ClientRun> RevokeAsync(IReadOnlyList<string> names, int reason = 0) =>
        LegoAsync(null, names, null, ["revoke", "--keep", "--reason", $"{reason}"]);

    /// <summary>
    /// The files lego saves under certificates/: NAME.crt (leaf and chain, lego bundles by default), NAME.issuer.crt
    /// and NAME.key, a wildcard's "*" written as "_".
    /// </summary>
    public IssuedFiles Files(string firstName)
    {
        var stem = Path.Combine(folder, "certificates", firstName.Replace('*', '_'));
        return new IssuedFiles(stem + ".crt", stem + ".issuer.crt", stem + ".crt", stem + ".key");
    }

    private Task<ClientRun> LegoAsync(LegoChallenge? challenge, IReadOnlyList<string> names, ExternalAccount? externalAccount, string[] command)
    {
        var arguments = new List<string> { "--server", directoryUrl.ToString(), "--accept-tos", "--email", Email, "--path", folder };
        foreach (var name in names)
        {
            arguments.AddRange(["--domains", name]);
        }

        if (externalAccount is not null)
        {
            arguments.AddRange(["--eab", "--kid", externalAccount.KeyId, "--hmac", externalAccount.HmacKey]);
        }

        var environment = new Dictionary<string, string> { ["LEGO_CA_CERTIFICATES"] = caFile };
        switch (challenge)
        {
            case LegoChallenge.Http http:
                arguments.AddRange(["--http", "--http.port", $"127.0.0.1:{http.Port}"]);
                break;
            case LegoChallenge.TlsAlpn tls:
                arguments.AddRange(["--tls", "--tls.port", $"127.0.0.1:{tls.Port}"]);
                break;
            case LegoChallenge.Dns dns:
                // The test DNS server answers no SOA, so lego's own propagation check (which looks for the zone's
                // authoritative servers) cannot work; the record is set synchronously, so there is nothing to wait for.
                arguments.AddRange(["--dns", "exec", "--dns.resolvers", dns.Resolver, "--dns.disable-cp"]);
                environment["EXEC_PATH"] = dns.ExecScript;
                environment["EXEC_POLLING_INTERVAL"] = "1";
                environment["EXEC_PROPAGATION_TIMEOUT"] = "30";

                // The exec provider waits 60 s between the names of one order by default.
                environment["EXEC_SEQUENCE_INTERVAL"] = "1";
                break;
            case LegoChallenge.Rfc2136 rfc2136:
                // The zone's NS names resolve to port 53, not the test server's port: lego's check of the authoritative
                // servers cannot reach them, and the update is applied before the answer, so there is nothing to wait for.
                arguments.AddRange(["--dns", "rfc2136", "--dns.resolvers", rfc2136.Nameserver, "--dns.disable-cp"]);
                environment["RFC2136_NAMESERVER"] = rfc2136.Nameserver;
                environment["RFC2136_TSIG_KEY"] = rfc2136.KeyName;
                environment["RFC2136_TSIG_SECRET"] = rfc2136.Secret;
                environment["RFC2136_TSIG_ALGORITHM"] = "hmac-sha256.";
                environment["RFC2136_POLLING_INTERVAL"] = "1";
                environment["RFC2136_PROPAGATION_TIMEOUT"] = "30";
                environment["RFC2136_SEQUENCE_INTERVAL"] = "1";
                break;
        }

        arguments.AddRange(command);
        return ClientProcess.RunAsync("lego", arguments, environment, Timeout, folder);
    }
}
