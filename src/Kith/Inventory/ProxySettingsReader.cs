using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kith.Inventory;

/// <summary>
/// Reads the <c>proxy:</c> block (docs/proxy.md): trusted networks, ports, HTTP/3, 0-RTT and kTLS of the generated
/// proxy configs. Every absent key takes its value from <see cref="ProxySettings.Default"/>.
/// </summary>
internal static class ProxySettingsReader
{
    private static readonly string[] Keys = ["real_ip_from", "https_port", "http_port", "http3", "early_data", "ktls"];

    public static ProxySettings Read(NodeReader reader, YNode? node)
    {
        var d = ProxySettings.Default;
        var map = reader.Map(node, "proxy");
        if (map is null)
        {
            return d;
        }

        reader.OnlyKeys(map, "proxy", Keys);
        var networks = Networks(reader, NodeReader.Get(map, "real_ip_from"));
        var httpsPort = Port(reader, NodeReader.Get(map, "https_port"), "proxy.https_port") ?? d.HttpsPort;
        var httpPortNode = NodeReader.Get(map, "http_port");
        var httpPort = Port(reader, httpPortNode, "proxy.http_port") ?? d.HttpPort;
        if (httpPort == httpsPort)
        {
            var at = httpPortNode ?? NodeReader.Get(map, "https_port") ?? map;
            var field = httpPortNode is null ? "proxy.https_port" : "proxy.http_port";
            reader.Error(at, field, $"http_port and https_port are both {httpPort}; the redirect to HTTPS and HTTPS itself need two ports");
        }

        var http3 = reader.Choice(NodeReader.Get(map, "http3"), "proxy.http3", "http3 mode", d.Http3, ("auto", Http3Mode.Auto), ("on", Http3Mode.On), ("off", Http3Mode.Off));
        var earlyData = reader.Flag(NodeReader.Get(map, "early_data"), "proxy.early_data") ?? d.EarlyData;
        var ktls = reader.Flag(NodeReader.Get(map, "ktls"), "proxy.ktls") ?? d.Ktls;
        return new ProxySettings(networks, httpsPort, httpPort, http3, earlyData, ktls);
    }

    /// <summary>
    /// A network in CIDR form with its host bits zero (<c>100.64.0.0/10</c>): a value like <c>100.64.0.1/10</c> is
    /// refused rather than silently widened, as it most likely names one host by mistake.
    /// </summary>
    public static IPNetwork? ParseNetwork(string text, out string error)
    {
        error = string.Empty;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"'{text}' has no prefix length; write a network like 100.64.0.0/10 (a single address is /32 or /128)";
            return null;
        }

        var address = MachineReader.ParseAddress(text[..slash], out _);
        var lengthText = text[(slash + 1)..];
        if (address is null || lengthText.Length is 0 or > 3 || !lengthText.All(char.IsAsciiDigit))
        {
            error = $"'{text}' is not a network in CIDR form; write e.g. 100.64.0.0/10 or \"fd7a:115c:a1e0::/48\"";
            return null;
        }

        var length = int.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture);
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (length > max)
        {
            error = $"'{text}': a prefix length of {length} is longer than the {max} bits of the address";
            return null;
        }

        var network = new IPNetwork(Masked(address, length), length);
        if (!network.BaseAddress.Equals(address))
        {
            error = $"'{text}' has host bits set; the network is {network} (or write the single address as /{max})";
            return null;
        }

        return network;
    }

    private static List<IPNetwork> Networks(NodeReader reader, YNode? node)
    {
        var result = new List<IPNetwork>();
        foreach (var item in reader.TextList(node, "proxy.real_ip_from", "write real_ip_from: [100.64.0.0/10]"))
        {
            var network = ParseNetwork(item.Value.Trim(), out var error);
            if (network is null)
            {
                reader.Error(item.Node, item.Field, error);
            }
            else if (result.Contains(network.Value))
            {
                reader.Error(item.Node, item.Field, $"network {network} is listed twice; remove one");
            }
            else
            {
                result.Add(network.Value);
            }
        }

        return result;
    }

    private static IPAddress Masked(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff00 >> keep);
        }

        return new IPAddress(bytes);
    }

    private static int? Port(NodeReader reader, YNode? node, string field)
    {
        var text = reader.Text(node, field);
        if (text is null || node is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            reader.Error(node, field, $"'{text}' is not a TCP port; write a number from 1 to 65535, e.g. 443");
            return null;
        }

        return port;
    }
}
