using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Kith.Files;
using Kith.Inventory;
using Kith.Operator;
using Kith.Pki;

namespace Kith.Fleet;

/// <summary>Builds the fleet state from the inventory and the operator's state folder.</summary>
public static class FleetStateBuilder
{
    /// <param name="revocations">The revocation requests still in force (the operator's store keeps them).</param>
    public static FleetState Build(FleetInventory inventory, StateFolder state, long version, DateTimeOffset now, IReadOnlyList<FleetRevocationRequest>? revocations = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(state);
        using var root = RootStore.LoadCertificate(state);
        var rootCrl = File.Exists(state.RootCrl) ? InputFile.ReadText(state.RootCrl) : null;
        return Build(inventory, machine => ReadHostCa(state, machine), Pem.Encode("CERTIFICATE", root.RawData), version, now, rootCrl, revocations);
    }

    /// <param name="hostCa">The PEM of a machine's Host CA certificate, or null when it has none yet.</param>
    /// <param name="rootCrl">The Root CRL (PEM), or null when there is none.</param>
    /// <param name="revocations">Revocation requests for the agents; none when null.</param>
    public static FleetState Build(FleetInventory inventory, Func<string, string?> hostCa, string trustBundle, long version, DateTimeOffset now, string? rootCrl = null, IReadOnlyList<FleetRevocationRequest>? revocations = null)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(hostCa);
        var machines = new List<FleetMachine>();
        var records = new SortedSet<FleetDnsRecord>(Comparer<FleetDnsRecord>.Create(CompareRecords));
        var hostCas = new List<FleetHostCa>();
        foreach (var machine in inventory.Machines.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var fqdn = inventory.MachineFqdn(machine);
            foreach (var address in machine.Addresses)
            {
                records.Add(new FleetDnsRecord(fqdn, address.AddressFamily == AddressFamily.InterNetworkV6 ? "AAAA" : "A", address.ToString()));
            }

            var endpoints = new List<FleetEndpoint>();
            foreach (var service in inventory.ServicesOn(machine))
            {
                endpoints.Add(new FleetEndpoint(
                    service.Name,
                    inventory.CertificateNames(service),
                    KindName(service.Kind),
                    FleetPolicy.FolderOf(inventory, service),
                    service.Files?.Cert,
                    service.Files?.Key,
                    service.Files?.Fullchain,
                    service.Files?.Owner,
                    service.Files?.Group,
                    service.Files?.Mode,
                    service.Reload.Count > 0 ? [.. service.Reload] : null,
                    service.Upstream,
                    service.Proxy,
                    service.Mtls ? true : null,
                    service.Edge));
                foreach (var name in service.Endpoints.Concat(service.Aliases))
                {
                    if (name != fqdn)
                    {
                        records.Add(new FleetDnsRecord(name, "CNAME", fqdn));
                    }
                }
            }

            endpoints.AddRange(FleetPolicy.EdgeCopiesOn(inventory, machine).Select(service => EdgeCopy(inventory, service)));
            machines.Add(new FleetMachine(
                machine.Name,
                [.. machine.Addresses.Select(a => a.ToString())],
                [.. machine.Roles],
                [.. machine.Tags],
                [.. endpoints.OrderBy(e => e.Service, StringComparer.Ordinal)]));
            if (hostCa(machine.Name) is { } pem)
            {
                hostCas.Add(new FleetHostCa(machine.Name, pem));
            }
        }

        foreach (var extra in inventory.Dns.Records)
        {
            records.Add(new FleetDnsRecord(extra.Name, extra.Type, extra.Value, extra.Ttl is { } ttl ? (int)ttl.TotalSeconds : null));
        }

        return new FleetState(
            version,
            inventory.Domain,
            now,
            machines,
            [.. records],
            hostCas,
            rootCrl,
            trustBundle,
            LeafValiditySeconds: (long)inventory.Ca.LeafValidity.TotalSeconds,
            RenewAt: inventory.Ca.RenewalFraction,
            Revocations: [.. (revocations ?? []).OrderBy(r => r.RequestedAt).ThenBy(r => r.Machine, StringComparer.Ordinal).ThenBy(r => r.Serial ?? r.Name, StringComparer.Ordinal)],
            DnsTtl: (int)inventory.Dns.Ttl.TotalSeconds,
            Zones: [.. inventory.Zones],
            Proxy: ProxySettingsOf(inventory.Proxy));
    }

    /// <summary>The fleet state's form of the proxy: block: networks in CIDR form, HTTP/3 as auto, on or off.</summary>
    public static FleetProxySettings ProxySettingsOf(ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new FleetProxySettings(
            [.. settings.RealIpFrom.Select(n => n.ToString())],
            settings.HttpsPort,
            settings.HttpPort,
            settings.Http3.ToString().ToLowerInvariant(),
            settings.EarlyData,
            settings.Ktls);
    }

    // A public service's entry on its edge: the same names, issued by the edge's own Host CA into the default
    // folder, forwarded to the service's machine. No files overrides or reload: those belong to the backend.
    // For an mTLS service it is also a client certificate: the edge checks the client, then presents its own
    // certificate to the backend's proxy, which asks every client for one.
    private static FleetEndpoint EdgeCopy(FleetInventory inventory, Service service)
    {
        var names = inventory.CertificateNames(service);
        return new FleetEndpoint(service.Name, names, service.Mtls ? "both" : "server", Folder: EndpointFiles.DefaultFolder(names[0]), Mtls: service.Mtls ? true : null, Backend: service.Machine);
    }

    private static string? ReadHostCa(StateFolder state, string machine)
    {
        var path = state.HostCaCertificate(machine);
        if (!File.Exists(path))
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(Pem.ReadCertificates(path)[0]);
        return Pem.Encode("CERTIFICATE", certificate.RawData);
    }

    private static string KindName(ServiceKind kind) => kind switch
    {
        ServiceKind.Client => "client",
        ServiceKind.Both => "both",
        _ => "server",
    };

    private static int CompareRecords(FleetDnsRecord? a, FleetDnsRecord? b)
    {
        var byName = string.CompareOrdinal(a!.Name, b!.Name);
        if (byName != 0)
        {
            return byName;
        }

        var byType = string.CompareOrdinal(a.Type, b.Type);
        return byType != 0 ? byType : string.CompareOrdinal(a.Value, b.Value);
    }
}
