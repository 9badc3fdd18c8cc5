using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Kith.Dns.Update;

namespace Kith.Tests.Dns;

/// <summary>What went over the wire when ARSoft's client sent an update through the handler.</summary>
internal sealed record UpdateExchange(byte[] Request, byte[]? Answer, DnsUpdateMessage? ClientView)
{
    /// <summary>The answer as ARSoft reads it (no key, so only the fields, not the MAC, are looked at).</summary>
    public DnsUpdateMessage ParsedAnswer => DnsUpdateMessage.Parse(Answer ?? throw new InvalidOperationException("the handler dropped the request"));
}

/// <summary>
/// Builds updates with ARSoft's model and lets ARSoft's own client encode and TSIG-sign them (an implementation
/// independent of kith's), relaying them over loopback UDP to <see cref="DnsUpdateHandler.Handle"/> and the
/// answer back, so the client also checks the answer's signature.
/// </summary>
internal static class UpdateRelay
{
    public static readonly byte[] Secret = Convert.FromBase64String("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=");

    public static TsigKey Key { get; } = new("acme-update", TsigAlgorithms.HmacSha256, Secret);

    public static DnsUpdateMessage Update(string zone, params UpdateBase[] updates)
    {
        var message = new DnsUpdateMessage { ZoneName = DomainName.Parse(zone) };
        message.Updates.AddRange(updates);
        return message;
    }

    public static DnsUpdateMessage Signed(this DnsUpdateMessage message, string keyName = "acme-update", byte[]? secret = null, DateTime? signedAt = null, TSigAlgorithm algorithm = TSigAlgorithm.Sha256)
    {
        message.TSigOptions = new TSigRecord(
            DomainName.Parse(keyName), algorithm, signedAt ?? DateTime.UtcNow, TimeSpan.FromSeconds(300), message.TransactionID, ReturnCode.NoError, null, secret ?? Secret);
        return message;
    }

    public static AddRecordUpdate AddTxt(string name, string text, int ttl = 120) => new(new TxtRecord(DomainName.Parse(name), ttl, text));

    public static DeleteRecordUpdate DeleteTxt(string name, string text) => new(new TxtRecord(DomainName.Parse(name), 0, text));

    public static DeleteAllRecordsUpdate DeleteTxtSet(string name) => new(DomainName.Parse(name), RecordType.Txt);

    public static async Task<UpdateExchange> SendAsync(DnsUpdateHandler handler, DnsUpdateMessage message)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var relay = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)relay.Client.LocalEndPoint!).Port;
        var client = new ARSoft.Tools.Net.Dns.DnsClient([IPAddress.Loopback], [new UdpClientTransport(port)], false, 3000);
        var sending = client.SendUpdateAsync(message, cancel);
        var request = await relay.ReceiveAsync(cancel);
        var answer = handler.Handle(request.Buffer, request.RemoteEndPoint);
        if (answer is not null)
        {
            await relay.SendAsync(answer, request.RemoteEndPoint, cancel);
        }

        DnsUpdateMessage? clientView;
        try
        {
            clientView = await sending;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            clientView = null;
        }

        return new UpdateExchange(request.Buffer, answer, clientView);
    }
}
