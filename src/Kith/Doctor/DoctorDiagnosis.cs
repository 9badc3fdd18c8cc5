namespace Kith.Doctor;

/// <summary>
/// Turns what the checks saw into causes in plain words, each with what to do (docs/doctor.md, "Causes").
/// Pure: the same facts give the same words, so every rule is tested without a network.
/// </summary>
public static class DoctorDiagnosis
{
    /// <summary>
    /// The TLS alerts a server sends when it holds no certificate for the SNI: OpenSSL servers without a
    /// matching certificate ("internal error"), nginx's <c>ssl_reject_handshake on</c> ("unrecognized name"),
    /// others ("handshake failure").
    /// </summary>
    private static readonly string[] NoCertificateAlerts = ["internal error", "unrecognized name", "handshake failure"];

    /// <summary>The issuing agent's word matters: no certificate for the name, or one that is expired or past renewal.</summary>
    public static bool NeedsAgent(EndpointFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return facts.Target.Machine is not null && (IsNoCertificateAlert(facts.Tls) || (facts.Certificate is { } c && facts.NameMatches && facts.Context.Now >= c.RenewalPoint(facts.Context.RenewAt)));
    }

    public static IReadOnlyList<string> Causes(EndpointFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var causes = new List<string>();
        if (Dns(facts) is { } dns)
        {
            causes.Add(dns);
        }

        if (Connection(facts) is { } connection)
        {
            causes.Add(connection);
        }

        if (Handshake(facts) is { } handshake)
        {
            causes.Add(handshake);
        }

        if (facts.Certificate is { } certificate)
        {
            causes.AddRange(CertificateCauses(facts, certificate));
        }

        return causes;
    }

    private static string? Dns(EndpointFacts facts)
    {
        var target = facts.Target;
        var name = target.Name;
        if (facts.FleetDns.Outcome == DnsOutcome.ServerFailed)
        {
            return $"the fleet DNS did not answer for {name} ({facts.FleetDns.Detail}): is the agent on {DnsMachines(facts)} running with dns_listen? (kith status)";
        }

        if (!facts.FleetDns.Missing && !(facts.FleetDns.Outcome == DnsOutcome.NotAsked && facts.SystemDns.Missing && facts.Tcp is null))
        {
            return null;
        }

        if (target.Service is null)
        {
            return $"missing DNS record: {name} is not in the inventory (no service lists it), so the fleet DNS has no record for it and no agent issues a certificate for it: add it to a service's endpoints in {facts.Context.InventoryPath}, then run `kith apply` and `kith publish`";
        }

        if (!target.InFleetZone)
        {
            return $"missing DNS record: {name} ({target.Owner}) is outside the fleet zones ({string.Join(", ", facts.Context.Zones)}), so the fleet DNS does not serve it: add an A/AAAA record for it where its zone is served, or add its zone to `zones:` in {facts.Context.InventoryPath}";
        }

        return $"missing DNS record: {name} is in the inventory ({target.Owner}) but the fleet DNS has no record for it: run `kith apply` and `kith publish`, then check the agent on {DnsMachines(facts)} (kith status: is its fleet state the latest?)";
    }

    private static string? Connection(EndpointFacts facts)
    {
        if (facts.Tcp is not { } tcp)
        {
            return null;
        }

        var machine = facts.Target.Machine is { } m ? $"on {m}" : "there";
        return tcp.Outcome switch
        {
            TcpOutcome.Refused => $"connection refused: nothing listens on {tcp.Endpoint}: is the proxy (nginx or caddy) {machine} running and listening on port {tcp.Endpoint.Port}? (systemctl status nginx; ss -tlnp)",
            TcpOutcome.TimedOut => $"timeout: {tcp.Endpoint} did not answer within {facts.Context.Timeout.TotalSeconds:0.#} s: a firewall drops the packets, or {tcp.Endpoint.Address} is not the machine's address (is the VPN up? does the DNS record point at the right machine?)",
            TcpOutcome.Failed => $"cannot reach {tcp.Endpoint} ({tcp.Detail}): check the route to {tcp.Endpoint.Address} (is the VPN up?)",
            _ => null,
        };
    }

    private static string? Handshake(EndpointFacts facts)
    {
        if (facts.Tls is not { } tls || tls.Outcome is TlsOutcome.Completed or TlsOutcome.NotTried)
        {
            return null;
        }

        var where = facts.Tcp?.Endpoint.ToString() ?? "the server";
        var name = facts.Target.Name;
        if (IsNoCertificateAlert(tls))
        {
            return $"no certificate for {name}: the server at {where} answered the TLS handshake for {name} with the alert \"{tls.Alert}\", which means it holds no certificate for that name; {Issuance(facts)}";
        }

        return tls.Outcome == TlsOutcome.TimedOut
            ? $"timeout: {where} accepted the connection but did not finish a TLS handshake within {facts.Context.Timeout.TotalSeconds:0.#} s: is this port TLS (and not plain HTTP)?"
            : $"the TLS handshake with {where} failed ({tls.Detail}): is this port TLS, and does the proxy serve {name}?";
    }

    private static IEnumerable<string> CertificateCauses(EndpointFacts facts, CertificateFacts certificate)
    {
        var name = facts.Target.Name;
        var owner = facts.Target.Service is null ? string.Empty : $" ({facts.Target.Owner})";
        if (!certificate.ChainsToRoot && !certificate.SelfSigned && !certificate.IntermediatesSent)
        {
            yield return $"incomplete chain: the server sent only the certificate for {name}, issued by {certificate.Issuer}, without its issuer: if that is a kith Host CA, point the proxy at fullchain.pem rather than cert.pem and reload it; otherwise it is another CA's certificate and the proxy serves other files than the agent's";
        }
        else if (!certificate.ChainsToRoot)
        {
            var what = certificate.SelfSigned
                ? $"a self-signed certificate (subject {certificate.Subject})"
                : $"a certificate issued by {certificate.Issuer}";
            yield return $"untrusted issuer: the server presents {what}, not one issued under the kith Root: the proxy serves other files than the agent's for {name}{owner}; point it at the certificate the agent writes (kith proxy render) and reload it";
        }

        if (!facts.NameMatches)
        {
            var names = certificate.DnsNames.Count == 0 ? "no DNS names" : string.Join(", ", certificate.DnsNames);
            var theirs = facts.ServedNamesOwner is { } other ? $" (those are the names of {other})" : string.Empty;
            yield return $"wrong name: the certificate served for {name} names {names}{theirs}: the DNS record for {name} points at a server for other names, or the proxy sends {name} to another server (its default); {name} belongs to {facts.Target.Owner}";
        }

        var now = facts.Context.Now;
        if (!facts.NameMatches || !certificate.ChainsToRoot)
        {
            yield break;
        }

        if (now >= certificate.NotAfter)
        {
            var days = (int)Math.Floor((now - certificate.NotAfter).TotalDays);
            yield return $"expired certificate: the certificate for {name} expired {CertificateChecks.Date(certificate.NotAfter)} ({days} day(s) ago); {Renewal(facts, certificate)}";
        }
        else if (now < certificate.NotBefore)
        {
            yield return $"the certificate for {name} is valid only from {CertificateChecks.Date(certificate.NotBefore)}: this machine's clock or the issuing machine's is wrong (timedatectl)";
        }
        else if (certificate.IssuerNotAfter is { } issuerEnd && now >= issuerEnd)
        {
            yield return $"expired Host CA: the issuer {certificate.IssuerSubject} expired {CertificateChecks.Date(issuerEnd)}: run `kith apply` to renew it, then `kith publish`";
        }
        else if (now >= certificate.RenewalPoint(facts.Context.RenewAt))
        {
            yield return $"not renewed: the certificate for {name} should have been renewed from {CertificateChecks.Date(certificate.RenewalPoint(facts.Context.RenewAt))} and expires {CertificateChecks.Date(certificate.NotAfter)}; {Renewal(facts, certificate)}";
        }

        if (facts.Ocsp?.RevokedAt is { } revokedAt)
        {
            yield return $"revoked certificate: the certificate for {name} (serial {certificate.Serial}) was revoked {CertificateChecks.Date(revokedAt)}: the agent on {facts.Target.Machine ?? "its machine"} should issue a new one on its next pass; reload the proxy once it has (kith status)";
        }
    }

    private static bool IsNoCertificateAlert(TlsHandshake? tls) =>
        tls is { Outcome: TlsOutcome.Alert, Alert: { } alert } && NoCertificateAlerts.Contains(alert, StringComparer.Ordinal);

    /// <summary>Which agent should have issued the certificate, and whether it did.</summary>
    private static string Issuance(EndpointFacts facts)
    {
        var target = facts.Target;
        if (target.Service is null)
        {
            return $"{target.Name} is in no service of the inventory, so no agent issues a certificate for it: add it to a service's endpoints in {facts.Context.InventoryPath}, then run `kith apply` and `kith publish`";
        }

        var should = $"the agent on {target.Machine} should have issued it for service {target.Service}";
        return facts.Agent switch
        {
            null => $"{should}",
            { Reach: AgentReach.NoAgent } => $"{should}, but {target.Machine} has no enrolled agent: `kith apply` writes its certificate under the state folder's out/{target.Machine}/: copy those files to {target.Machine} and point the proxy at them",
            { Reach: AgentReach.Unreachable } a => $"{should}; whether it did is unknown: its agent at {a.Url} is unreachable ({a.Detail})",
            { Reach: AgentReach.Untrusted } a => $"{should}; whether it did is unknown: its agent at {a.Url} is not trusted ({a.Detail})",
            { Endpoint: null } a => $"{should}, but it does not know the service (its fleet state is version {a.StateVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}): run `kith apply` and `kith publish`",
            { Endpoint: { Status: "ok" or "expiring" } e } => $"{should}, and it did (valid until {Date(e.NotAfter)}, in {e.Folder}): the proxy does not serve it; make its config use {e.Folder} (kith proxy render --machine {target.Machine}) and reload it",
            { Endpoint: { } e } => $"{should}, and it has not: it reports service {target.Service} {e.Status}{(e.Detail is null ? string.Empty : $": {e.Detail}")}",
        };
    }

    /// <summary>Who should have renewed the certificate, and what its agent says.</summary>
    private static string Renewal(EndpointFacts facts, CertificateFacts served)
    {
        var target = facts.Target;
        if (target.Machine is null)
        {
            return "no agent renews it: the name is in no service of the inventory";
        }

        var should = $"the agent on {target.Machine} should have renewed it (service {target.Service})";
        return facts.Agent switch
        {
            null => should,
            { Reach: AgentReach.NoAgent } => $"{target.Machine} has no enrolled agent: run `kith apply` and copy the new files from out/{target.Machine}/",
            { Reach: AgentReach.Unreachable or AgentReach.Untrusted } a => $"{should}; its agent at {a.Url} could not be asked ({a.Detail})",
            { Endpoint: null } => $"{should}, but it does not know the service: run `kith apply` and `kith publish`",
            { Endpoint: { NotAfter: { } held } e } when held > served.NotAfter => $"{should}, and it did (its certificate is valid until {Date(held)}, in {e.Folder}): the proxy still serves the old one; reload it",
            { Endpoint: { } e } => $"{should}: it reports service {target.Service} {e.Status}{(e.Detail is null ? string.Empty : $": {e.Detail}")}",
        };
    }

    private static string DnsMachines(EndpointFacts facts) =>
        facts.Context.DnsMachines.Count == 0 ? "the dns machine" : string.Join(", ", facts.Context.DnsMachines);

    private static string Date(DateTimeOffset? when) => when is { } value ? CertificateChecks.Date(value) : "unknown";
}
