using System.Net;
using System.Net.Sockets;
using Kith.Dns;
using Kith.Dns.Update;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kith.IntegrationTests.Dns;

/// <summary>
/// The update handler alone on a loopback UDP socket, driven by knsupdate (Knot) and nsupdate (BIND): two independent
/// TSIG implementations that also verify the signature of every answer.
/// </summary>
public sealed class UpdateHandlerToolsTests : IAsyncDisposable
{
    private const string KeyName = "acme-update";
    private const string Secret = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    private const string Secret512 = "eOXS2uUtA/kO0/u82qzNwrberyCWAoe6+Y+JQ+ZkdjMjtD9Rpkg3iAYxjelDZc0KgV8kWz1KQXdVbeiDKGtChw==";
    private const string Challenge = "_acme-challenge.music.home.arpa";

    private readonly DynamicTxtRecords _records = new();
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public UpdateHandlerToolsTests()
    {
        IReadOnlyList<FleetZone> zones = [new("home.arpa", 3, [new("home.arpa", "SOA", 300, "storage.home.arpa hostmaster.home.arpa 3 3600 600 604800 60")])];
        var handler = new DnsUpdateHandler(
            [new TsigKey(KeyName, TsigAlgorithms.HmacSha256, Convert.FromBase64String(Secret)), new TsigKey("big", TsigAlgorithms.HmacSha512, Convert.FromBase64String(Secret512))],
            _records,
            () => zones,
            NullLogger.Instance);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await _socket.ReceiveAsync(_stop.Token);
                if (handler.Handle(request.Buffer, request.RemoteEndPoint) is { } answer)
                {
                    await _socket.SendAsync(answer, request.RemoteEndPoint, _stop.Token);
                }
            }
        });
    }

    private int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAny(_loop, Task.Delay(2000));
        _socket.Dispose();
        _stop.Dispose();
        _records.Dispose();
    }

    [Theory]
    [InlineData("knsupdate")]
    [InlineData("nsupdate")]
    public async Task A_signed_add_then_delete_from_the_tool_is_applied_and_the_tool_accepts_the_signed_answers(string tool)
    {
        var add = await UpdateTool.RunAsync(tool, ["-y", $"hmac-sha256:{KeyName}:{Secret}"], UpdateTool.Script(Port, "home.arpa", $"add {Challenge} 60 TXT \"token-1\""));

        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal(["token-1"], _records.TextsAt(Challenge));

        var delete = await UpdateTool.RunAsync(tool, ["-y", $"hmac-sha256:{KeyName}:{Secret}"], UpdateTool.Script(Port, "home.arpa", $"delete {Challenge} TXT \"token-1\""));

        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task An_hmac_sha512_key_works_too()
    {
        var add = await UpdateTool.RunAsync("knsupdate", ["-y", $"hmac-sha512:big:{Secret512}"], UpdateTool.Script(Port, "home.arpa", $"add {Challenge} 60 TXT \"token-512\""));

        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal(["token-512"], _records.TextsAt(Challenge));
    }

    [Theory]
    [InlineData("knsupdate")]
    [InlineData("nsupdate")]
    public async Task A_wrong_secret_is_refused_and_the_tool_fails(string tool)
    {
        var wrong = Convert.ToBase64String(new byte[32]);

        var add = await UpdateTool.RunAsync(tool, ["-y", $"hmac-sha256:{KeyName}:{wrong}"], UpdateTool.Script(Port, "home.arpa", $"add {Challenge} 60 TXT \"token-1\""));

        Assert.NotEqual(0, add.ExitCode);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task An_unsigned_update_is_refused()
    {
        var add = await UpdateTool.RunAsync("knsupdate", [], UpdateTool.Script(Port, "home.arpa", $"add {Challenge} 60 TXT \"token-1\""));

        Assert.NotEqual(0, add.ExitCode);
        Assert.Contains("REFUSED", add.Output, StringComparison.Ordinal);
        Assert.Empty(_records.Snapshot());
    }
}
