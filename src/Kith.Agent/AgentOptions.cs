using System.Net;
using Kith.Enrollment;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kith.Agent;

/// <summary>
/// What <c>kith agent run</c> needs (docs/agent.md): the agent folder, the machine's name (else read from the
/// Host CA certificate) and the HTTPS addresses to listen on. Flags win over the config file.
/// </summary>
public sealed record AgentOptions(string? Machine, string Dir, IReadOnlyList<IPEndPoint> Listen, TimeSpan CertificateLifetime)
{
    public const string DefaultConfigPath = "/etc/kith/agent.yaml";

    public const string DefaultListen = "127.0.0.1:8555";

    public static readonly TimeSpan DefaultCertificateLifetime = TimeSpan.FromDays(7);

    public static readonly TimeSpan DefaultReconcileInterval = TimeSpan.FromSeconds(300);

    public const int DefaultPeerPort = 8555;

    /// <summary>The plain-HTTP port of CRLs and OCSP, the one the URLs in leaves name.</summary>
    public const int DefaultRevocationPort = Kith.Operator.FleetPolicy.RevocationPort;

    public static readonly TimeSpan DefaultPeerInterval = TimeSpan.FromSeconds(60);

    /// <summary>The longest pause between reconcile passes (a retry or renewal due sooner shortens it).</summary>
    public TimeSpan ReconcileInterval { get; init; } = DefaultReconcileInterval;

    /// <summary>
    /// A test/diagnostic override of the endpoint certificates' lifetime (leaf_validity_minutes); null (the
    /// default) means the fleet state's leaf_validity_seconds, i.e. the inventory's ca.leaf_validity. Under
    /// ~2.5 minutes every pass renews (the 5-minute backdate counts in the lifetime).
    /// </summary>
    public TimeSpan? LeafValidity { get; init; }

    /// <summary>Prefix put before every path of the fleet state ("/" means the paths themselves).</summary>
    public string FilesRoot { get; init; } = "/";

    /// <summary>The file remembering which endpoint folders the agent wrote; null means &lt;dir&gt;/endpoints.manifest.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Whether the agent pulls newer fleet states from its peers (docs/agent.md, "Peer sync").</summary>
    public bool PeerSync { get; init; } = true;

    /// <summary>The port every peer agent listens on (one port for the whole fleet).</summary>
    public int PeerPort { get; init; } = DefaultPeerPort;

    /// <summary>The mean pause between peer sync rounds (each pause is jittered by ±20 %).</summary>
    public TimeSpan PeerInterval { get; init; } = DefaultPeerInterval;

    /// <summary>Peers named in the config, asked in addition to the machines of the held state.</summary>
    public IReadOnlyList<ConfiguredPeer> Peers { get; init; } = [];

    /// <summary>Remove the folder of an endpoint that left the state (else keep its files until removed by hand).</summary>
    public bool RemoveDeparted { get; init; } = true;

    /// <summary>One JSON object per log line (for a log shipper) instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>The ACME server's settings.</summary>
    public AgentAcmeOptions Acme { get; init; } = new();

    /// <summary>
    /// The plain-HTTP addresses serving CRLs and OCSP (<c>revocation_listen</c>); null means the default, every
    /// HTTPS listen address with port <see cref="DefaultRevocationPort"/>; empty turns revocation serving off.
    /// </summary>
    public IReadOnlyList<IPEndPoint>? RevocationListen { get; init; }

    /// <summary>The TSIG keys allowed to change _acme-challenge TXT records over RFC 2136 (dns_update_keys).</summary>
    public IReadOnlyList<Kith.Dns.Update.TsigKey> DnsUpdateKeys { get; init; } = [];

    /// <summary>Warnings about the key files (readable by others), logged when the agent starts serving DNS.</summary>
    public IReadOnlyList<string> DnsUpdateKeyWarnings { get; init; } = [];

    /// <summary>
    /// The UDP+TCP addresses of the DNS server (<c>dns_listen</c>), used only while this machine has role dns in
    /// the held state; null means the default, port 53 on each of the machine's addresses in the state; empty
    /// turns DNS serving off.
    /// </summary>
    public IReadOnlyList<IPEndPoint>? DnsListen { get; init; }

    /// <summary>The resolver snippet the agent keeps for this machine (none by default).</summary>
    public AgentResolverOptions Resolver { get; init; } = AgentResolverOptions.None;

    /// <summary>The reverse proxy config the agent keeps for this machine (none by default).</summary>
    public AgentProxyOptions Proxy { get; init; } = AgentProxyOptions.None;

    /// <summary>The revocation addresses in effect (see <see cref="RevocationListen"/>).</summary>
    public IReadOnlyList<IPEndPoint> EffectiveRevocationListen =>
        RevocationListen ?? [.. Listen.Select(e => new IPEndPoint(e.Address, DefaultRevocationPort)).Distinct()];

    /// <summary>The manifest file in effect.</summary>
    public string EffectiveManifestPath => ManifestPath ?? System.IO.Path.Combine(Dir, "endpoints.manifest");

    /// <summary>
    /// Reads the config file (a missing file is fine: every key has a default or a flag) and applies the flags.
    /// </summary>
    /// <param name="configPath">The config file; null means <see cref="DefaultConfigPath"/>.</param>
    /// <exception cref="KithException">The file is not valid, or an address does not parse.</exception>
    public static AgentOptions Load(string? configPath, string? dirFlag, IReadOnlyList<string>? listenFlag)
    {
        var path = configPath ?? DefaultConfigPath;
        string? machine = null;
        string? dir = null;
        List<string>? listen = null;
        var lifetime = DefaultCertificateLifetime;
        var interval = DefaultReconcileInterval;
        TimeSpan? leafValidity = null;
        var removeDeparted = true;
        var jsonLogs = false;
        var filesRoot = "/";
        string? manifest = null;
        var peerSync = true;
        var peerPort = DefaultPeerPort;
        var peerInterval = DefaultPeerInterval;
        List<ConfiguredPeer> peers = [];
        var acme = new AgentAcmeOptions();
        List<IPEndPoint>? revocationListen = null;
        List<IPEndPoint>? dnsListen = null;
        (IReadOnlyList<Kith.Dns.Update.TsigKey> Keys, IReadOnlyList<string> Warnings) updateKeys = ([], []);
        var resolver = AgentResolverOptions.None;
        var proxy = AgentProxyOptions.None;
        if (File.Exists(path))
        {
            var root = ReadMapping(path);
            foreach (var (keyNode, value) in root.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? throw new KithException($"{path}: keys must be plain names (machine, dir, listen)");
                switch (key)
                {
                    case "machine":
                        machine = Scalar(path, key, value);
                        break;
                    case "dir":
                        dir = Scalar(path, key, value);
                        break;
                    case "listen":
                        listen = value is YamlSequenceNode list
                            ? [.. list.Children.Select(item => Scalar(path, key, item))]
                            : [Scalar(path, key, value)];
                        break;
                    case "certificate_lifetime_hours":
                        lifetime = TimeSpan.FromHours(WholeNumber(path, key, value, 24 * 90, "a whole number of hours between 1 and 2160"));
                        break;
                    case "reconcile_interval_seconds":
                        interval = TimeSpan.FromSeconds(WholeNumber(path, key, value, 86400, "a whole number of seconds between 1 and 86400"));
                        break;
                    case "leaf_validity_minutes":
                        leafValidity = TimeSpan.FromMinutes(WholeNumber(path, key, value, 60 * 24 * 90, "a whole number of minutes between 1 and 129600 (90 days)"));
                        break;
                    case "files_root":
                        filesRoot = AbsolutePath(path, key, Scalar(path, key, value));
                        break;
                    case "manifest_path":
                        manifest = AbsolutePath(path, key, Scalar(path, key, value));
                        break;
                    case "peer_sync":
                        peerSync = Boolean(path, key, value);
                        break;
                    case "remove_departed":
                        removeDeparted = Boolean(path, key, value);
                        break;
                    case "log_format":
                        jsonLogs = Scalar(path, key, value) switch
                        {
                            "text" => false,
                            "json" => true,
                            _ => throw new KithException($"{path}: log_format must be text or json"),
                        };
                        break;
                    case "peer_port":
                        peerPort = WholeNumber(path, key, value, 65535, "a port number between 1 and 65535");
                        break;
                    case "peer_interval_seconds":
                        peerInterval = TimeSpan.FromSeconds(WholeNumber(path, key, value, 86400, "a whole number of seconds between 1 and 86400"));
                        break;
                    case "peers":
                        peers = value is YamlSequenceNode peerList
                            ? [.. peerList.Children.Select(item => ConfiguredPeer.Parse(Scalar(path, key, item), path))]
                            : [ConfiguredPeer.Parse(Scalar(path, key, value), path)];
                        break;
                    case "revocation_listen":
                        revocationListen = value is YamlSequenceNode revocationList
                            ? [.. revocationList.Children.Select(item => ParseRevocationEndpoint(Scalar(path, key, item), path))]
                            : [ParseRevocationEndpoint(Scalar(path, key, value), path)];
                        break;
                    case "dns_listen":
                        dnsListen = value is YamlSequenceNode dnsList
                            ? [.. dnsList.Children.Select(item => ParseDnsEndpoint(Scalar(path, key, item), path))]
                            : [ParseDnsEndpoint(Scalar(path, key, value), path)];
                        break;
                    case TsigKeyFiles.Key:
                        updateKeys = TsigKeyFiles.Read(path, value);
                        break;
                    case "resolver" or "resolver_path" or "resolver_reload" or "resolver_port":
                        resolver = resolver.With(path, key, value);
                        break;
                    case "proxy" or "proxy_config" or "proxy_validate" or "proxy_reload" or "proxy_listen" or "proxy_nginx":
                        proxy = proxy.With(path, key, value);
                        break;
                    case "acme":
                        acme = acme with { Enabled = Boolean(path, key, value) };
                        break;
                    case "acme_http01_port":
                        acme = acme with { Http01Port = WholeNumber(path, key, value, 65535, "a port number between 1 and 65535") };
                        break;
                    case "acme_tls_alpn01_port":
                        acme = acme with { TlsAlpn01Port = WholeNumber(path, key, value, 65535, "a port number between 1 and 65535") };
                        break;
                    case "acme_dns_resolvers":
                        acme = acme with
                        {
                            DnsResolvers = value is YamlSequenceNode resolverList
                                ? [.. resolverList.Children.Select(item => ParseResolver(Scalar(path, key, item), path))]
                                : [ParseResolver(Scalar(path, key, value), path)],
                        };
                        break;
                    case "acme_external_account_required":
                        acme = acme with { ExternalAccountRequired = Boolean(path, key, value) };
                        break;
                    case "acme_orders_per_minute":
                        acme = acme with { OrdersPerMinute = WholeNumber(path, key, value, 1_000_000, "a whole number of orders between 1 and 1000000") };
                        break;
                    case "acme_test_auto_valid":
                        acme = acme with { TestAutoValid = Boolean(path, key, value) };
                        if (acme.TestAutoValid && Environment.GetEnvironmentVariable(AgentAcmeOptions.TestAutoValidVariable) != "1")
                        {
                            throw new KithException($"{path}: acme_test_auto_valid makes every ACME challenge pass unchecked and is for tests and benchmarks only; remove it (or set {AgentAcmeOptions.TestAutoValidVariable}=1 in a test environment)");
                        }

                        break;
                    default:
                        throw new KithException($"{path}: unknown key '{key}' (known: {KnownKeys})");
                }
            }
        }
        else if (configPath is not null)
        {
            throw new KithException($"{configPath}: no such config file");
        }

        var addresses = listenFlag is { Count: > 0 } ? listenFlag : listen is { Count: > 0 } ? listen : [DefaultListen];
        var folder = AgentFolder.Resolve(dirFlag ?? dir);
        return new AgentOptions(machine, folder.Path, [.. addresses.Select(a => ParseEndpoint(a, path))], lifetime)
        {
            ReconcileInterval = interval,
            LeafValidity = leafValidity,
            RemoveDeparted = removeDeparted,
            JsonLogs = jsonLogs,
            FilesRoot = filesRoot,
            ManifestPath = manifest,
            PeerSync = peerSync,
            PeerPort = peerPort,
            PeerInterval = peerInterval,
            Peers = peers,
            Acme = acme,
            RevocationListen = revocationListen,
            DnsListen = dnsListen,
            DnsUpdateKeys = updateKeys.Keys,
            DnsUpdateKeyWarnings = updateKeys.Warnings,
            Resolver = resolver.Check(path),
            Proxy = proxy.Check(path),
        };
    }

    private static IPEndPoint ParseRevocationEndpoint(string text, string source)
    {
        try
        {
            return ParseEndpoint(text, source);
        }
        catch (KithException)
        {
            throw new KithException($"{source}: revocation_listen address '{text}' is not ADDRESS:PORT (an IP address, e.g. 0.0.0.0:8580 or [::1]:8580; [] turns it off)");
        }
    }

    private static IPEndPoint ParseDnsEndpoint(string text, string source)
    {
        try
        {
            return ParseEndpoint(text, source);
        }
        catch (KithException)
        {
            throw new KithException($"{source}: dns_listen address '{text}' is not ADDRESS:PORT (an IP address, e.g. 127.0.0.1:53 or [::1]:53; [] turns DNS serving off)");
        }
    }

    /// <summary>"127.0.0.1:53" or "127.0.0.1" (port 53): a DNS resolver for dns-01.</summary>
    private static IPEndPoint ParseResolver(string text, string source)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            return new IPEndPoint(address, 53);
        }

        return IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0
            ? endpoint
            : throw new KithException($"{source}: acme_dns_resolvers entry '{text}' is not ADDRESS or ADDRESS:PORT (e.g. 127.0.0.1:53)");
    }

    /// <summary>"127.0.0.1:8555", "[::1]:8555", "0.0.0.0:8555": an IP address and a port, no host names.</summary>
    public static IPEndPoint ParseEndpoint(string text, string source)
    {
        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 && text.Contains(':', StringComparison.Ordinal)
            && (endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || text.StartsWith('[')))
        {
            return endpoint;
        }

        throw new KithException($"{source}: listen address '{text}' is not ADDRESS:PORT (an IP address, e.g. 127.0.0.1:8555 or [::1]:8555)");
    }

    private const string KnownKeys = "machine, dir, listen, certificate_lifetime_hours, reconcile_interval_seconds, leaf_validity_minutes, files_root, manifest_path, peer_sync, peer_port, peer_interval_seconds, peers, remove_departed, log_format, acme, acme_http01_port, acme_tls_alpn01_port, acme_dns_resolvers, acme_external_account_required, acme_orders_per_minute, acme_test_auto_valid, revocation_listen, dns_listen, dns_update_keys, resolver, resolver_path, resolver_reload, resolver_port, proxy, proxy_config, proxy_validate, proxy_reload, proxy_listen, proxy_nginx";

    /// <summary>A whole number from 1 to <paramref name="max"/>; otherwise "PATH: KEY must be <paramref name="mustBe"/>".</summary>
    private static int WholeNumber(string path, string key, YamlNode value, int max, string mustBe) =>
        int.TryParse(Scalar(path, key, value), out var number) && number > 0 && number <= max
            ? number
            : throw new KithException($"{path}: {key} must be {mustBe}");

    private static bool Boolean(string path, string key, YamlNode value) => Scalar(path, key, value) switch
    {
        "true" => true,
        "false" => false,
        _ => throw new KithException($"{path}: {key} must be true or false"),
    };

    private static string AbsolutePath(string path, string key, string value) =>
        System.IO.Path.IsPathFullyQualified(value) ? value : throw new KithException($"{path}: {key} must be an absolute path, not '{value}'");

    private static YamlMappingNode ReadMapping(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(path));
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new KithException($"{path}: not valid YAML ({e.Message})");
        }

        if (stream.Documents.Count == 0)
        {
            return new YamlMappingNode();
        }

        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new KithException($"{path}: expected a mapping of keys (machine, dir, listen)");
    }

    private static string Scalar(string path, string key, YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new KithException($"{path}: '{key}' must be a single value");
}
