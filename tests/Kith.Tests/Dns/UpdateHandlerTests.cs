using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Kith.Dns;
using Kith.Dns.Update;
using Microsoft.Extensions.Logging.Abstractions;
using static Kith.Tests.Dns.UpdateRelay;

namespace Kith.Tests.Dns;

public sealed class UpdateHandlerTests : IDisposable
{
    private const string Challenge = "_acme-challenge.music.home.arpa";

    private readonly DynamicTxtRecords _records = new();

    private readonly DnsUpdateHandler _handler;

    public UpdateHandlerTests()
    {
        IReadOnlyList<FleetZone> zones =
        [
            new("home.arpa", 7,
            [
                new("home.arpa", "SOA", 300, "storage.home.arpa hostmaster.home.arpa 7 3600 600 604800 60"),
                new("home.arpa", "NS", 300, "storage.home.arpa"),
                new("music.home.arpa", "CNAME", 300, "storage.home.arpa"),
                new("www.home.arpa", "A", 300, "100.64.0.10"),
            ]),
            new("lab.home.arpa", 7, [new("lab.home.arpa", "SOA", 300, "storage.home.arpa hostmaster.home.arpa 7 3600 600 604800 60")]),
        ];
        _handler = new DnsUpdateHandler([Key], _records, () => zones, NullLogger.Instance);
    }

    public void Dispose() => _records.Dispose();

    [Fact]
    public async Task A_signed_add_stores_the_TXT_record_and_the_signed_answer_verifies_at_the_client()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1", ttl: 120)).Signed());

        Assert.Equal(ReturnCode.NoError, exchange.ParsedAnswer.ReturnCode);
        Assert.NotNull(exchange.ClientView);
        Assert.Equal(ReturnCode.NoError, exchange.ClientView.ReturnCode);
        Assert.Equal(ReturnCode.NoError, exchange.ClientView.TSigOptions?.ValidationResult);
        var record = Assert.Single(_records.Snapshot());
        Assert.Equal(new ZoneRecord(Challenge, "TXT", 120, "token-1"), record);
    }

    [Fact]
    public async Task The_answer_TTL_is_capped_at_five_minutes_and_names_are_compared_without_case()
    {
        await SendAsync(_handler, Update("HOME.arpa", AddTxt("_ACME-Challenge.Music.home.arpa", "token-1", ttl: 86400)).Signed());

        Assert.Equal(new ZoneRecord(Challenge, "TXT", DynamicTxtRecords.MaxTtlSeconds, "token-1"), Assert.Single(_records.Snapshot()));
    }

    [Fact]
    public async Task Deleting_one_record_keeps_the_others_at_that_name()
    {
        await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1"), AddTxt(Challenge, "token-2")).Signed());

        var exchange = await SendAsync(_handler, Update("home.arpa", DeleteTxt(Challenge, "token-1")).Signed());

        Assert.Equal(ReturnCode.NoError, exchange.ClientView?.ReturnCode);
        Assert.Equal(["token-2"], _records.TextsAt(Challenge));
    }

    [Fact]
    public async Task Deleting_the_TXT_set_removes_every_record_at_that_name_only()
    {
        await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1"), AddTxt(Challenge, "token-2"), AddTxt("_acme-challenge.home.arpa", "apex")).Signed());

        var exchange = await SendAsync(_handler, Update("home.arpa", DeleteTxtSet(Challenge)).Signed());

        Assert.Equal(ReturnCode.NoError, exchange.ClientView?.ReturnCode);
        Assert.Empty(_records.TextsAt(Challenge));
        Assert.Equal(["apex"], _records.TextsAt("_acme-challenge.home.arpa"));
    }

    [Fact]
    public async Task An_unsigned_update_is_refused()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1")));

        Assert.Equal(ReturnCode.Refused, exchange.ParsedAnswer.ReturnCode);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task An_unknown_key_gets_NOTAUTH_with_BADKEY_and_an_unsigned_TSIG()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1")).Signed(keyName: "someone-else"));

        var answer = exchange.ParsedAnswer;
        Assert.Equal(ReturnCode.NotAuthoritive, answer.ReturnCode);
        Assert.Equal(ReturnCode.BadKey, answer.TSigOptions?.Error);
        Assert.Empty(answer.TSigOptions!.Mac);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task A_key_with_the_right_name_and_another_algorithm_gets_BADKEY()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1")).Signed(algorithm: TSigAlgorithm.Sha512));

        Assert.Equal(ReturnCode.BadKey, exchange.ParsedAnswer.TSigOptions?.Error);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task A_signature_made_with_another_secret_gets_NOTAUTH_with_BADSIG()
    {
        var wrongSecret = Secret.Select(b => (byte)(b ^ 0x5A)).ToArray();

        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1")).Signed(secret: wrongSecret));

        Assert.Equal(ReturnCode.NotAuthoritive, exchange.ParsedAnswer.ReturnCode);
        Assert.Equal(ReturnCode.BadSig, exchange.ParsedAnswer.TSigOptions?.Error);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task A_message_changed_after_signing_gets_BADSIG()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1")).Signed());
        var tampered = exchange.Request.ToArray();
        var at = tampered.AsSpan().IndexOf("token-1"u8);
        tampered[at + 6] = (byte)'9';
        _records.RemoveAll(Challenge);

        var answer = DnsUpdateMessage.Parse(_handler.Handle(tampered, new(System.Net.IPAddress.Loopback, 5353))!);

        Assert.Equal(ReturnCode.BadSig, answer.TSigOptions?.Error);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task A_signature_older_than_the_fudge_gets_NOTAUTH_with_BADTIME_and_a_signed_answer()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1")).Signed(signedAt: DateTime.UtcNow.AddMinutes(-10)));

        var answer = exchange.ParsedAnswer;
        Assert.Equal(ReturnCode.NotAuthoritive, answer.ReturnCode);
        Assert.Equal(ReturnCode.BadTime, answer.TSigOptions?.Error);
        Assert.NotEmpty(answer.TSigOptions!.Mac);
        Assert.Equal(6, answer.TSigOptions.OtherData.Length);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task A_replayed_update_is_applied_again_only_within_the_fudge()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1")).Signed(signedAt: DateTime.UtcNow.AddSeconds(-290)));

        Assert.Equal(ReturnCode.NoError, exchange.ParsedAnswer.ReturnCode);
    }

    [Theory]
    [InlineData("www.home.arpa")]
    [InlineData("acme-challenge.music.home.arpa")]
    [InlineData("music._acme-challenge.home.arpa")]
    public async Task A_TXT_record_outside_an_acme_challenge_name_is_refused(string name)
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(name, "v=spf1 -all")).Signed());

        Assert.Equal(ReturnCode.Refused, exchange.ClientView?.ReturnCode);
        Assert.Equal(ReturnCode.NoError, exchange.ClientView?.TSigOptions?.ValidationResult);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task Another_type_at_the_challenge_name_is_refused_and_nothing_of_the_update_is_applied()
    {
        var address = new AddRecordUpdate(new ARecord(DomainName.Parse(Challenge), 60, System.Net.IPAddress.Parse("192.0.2.1")));

        var exchange = await SendAsync(_handler, Update("home.arpa", AddTxt(Challenge, "token-1"), address).Signed());

        Assert.Equal(ReturnCode.Refused, exchange.ClientView?.ReturnCode);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task Deleting_the_address_of_a_fleet_name_is_refused()
    {
        var exchange = await SendAsync(_handler, Update("home.arpa", new DeleteAllRecordsUpdate(DomainName.Parse("www.home.arpa"), RecordType.A)).Signed());

        Assert.Equal(ReturnCode.Refused, exchange.ClientView?.ReturnCode);
    }

    [Fact]
    public async Task A_zone_that_is_not_served_gets_NOTAUTH()
    {
        var exchange = await SendAsync(_handler, Update("example.com", AddTxt("_acme-challenge.example.com", "token-1")).Signed());

        Assert.Equal(ReturnCode.NotAuthoritive, exchange.ClientView?.ReturnCode);
        Assert.Equal(ReturnCode.NoError, exchange.ClientView?.TSigOptions?.Error);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task A_name_outside_the_zone_section_gets_NOTZONE()
    {
        var outside = await SendAsync(_handler, Update("home.arpa", AddTxt("_acme-challenge.example.com", "token-1")).Signed());
        var nested = await SendAsync(_handler, Update("home.arpa", AddTxt("_acme-challenge.pc.lab.home.arpa", "token-1")).Signed());
        var right = await SendAsync(_handler, Update("lab.home.arpa", AddTxt("_acme-challenge.pc.lab.home.arpa", "token-1")).Signed());

        Assert.Equal(ReturnCode.NotZone, outside.ClientView?.ReturnCode);
        Assert.Equal(ReturnCode.NotZone, nested.ClientView?.ReturnCode);
        Assert.Equal(ReturnCode.NoError, right.ClientView?.ReturnCode);
        Assert.Equal(["token-1"], _records.TextsAt("_acme-challenge.pc.lab.home.arpa"));
    }

    [Fact]
    public async Task Prerequisites_on_whether_a_TXT_set_exists_are_checked()
    {
        var whenAbsent = Update("home.arpa", AddTxt(Challenge, "token-1")).Signed();
        whenAbsent.Prequisites.Add(new RecordNotExistsPrequisite(DomainName.Parse(Challenge), RecordType.Txt));
        var first = await SendAsync(_handler, whenAbsent);

        var again = Update("home.arpa", AddTxt(Challenge, "token-2")).Signed();
        again.Prequisites.Add(new RecordNotExistsPrequisite(DomainName.Parse(Challenge), RecordType.Txt));
        var second = await SendAsync(_handler, again);

        var whenPresent = Update("home.arpa", DeleteTxt(Challenge, "token-1")).Signed();
        whenPresent.Prequisites.Add(new RecordExistsValueIndependantPrequisite(DomainName.Parse(Challenge), RecordType.Txt));
        var third = await SendAsync(_handler, whenPresent);

        Assert.Equal(ReturnCode.NoError, first.ClientView?.ReturnCode);
        Assert.Equal(ReturnCode.YXRRSet, second.ClientView?.ReturnCode);
        Assert.Equal(ReturnCode.NoError, third.ClientView?.ReturnCode);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public async Task A_name_in_use_prerequisite_sees_the_fleet_records()
    {
        var update = Update("home.arpa", AddTxt(Challenge, "token-1")).Signed();
        update.Prequisites.Add(new NameIsNotInUsePrequisite(DomainName.Parse("www.home.arpa")));

        var exchange = await SendAsync(_handler, update);

        Assert.Equal(ReturnCode.YXDomain, exchange.ClientView?.ReturnCode);
        Assert.Empty(_records.Snapshot());
    }

    [Fact]
    public void Garbage_and_truncated_messages_get_FORMERR_or_are_dropped_never_an_exception()
    {
        var update = new byte[] { 0x12, 0x34, 0x28, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xC0, 0x0C };
        var random = new Random(6);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            if (bytes.Length > 3)
            {
                bytes[2] = (byte)((bytes[2] & 0x87) | 0x28); // opcode UPDATE, QR clear
            }

            _ = _handler.Handle(bytes, new(System.Net.IPAddress.Loopback, 5353));
        }

        var answer = _handler.Handle(update, new(System.Net.IPAddress.Loopback, 5353));

        Assert.NotNull(answer);
        Assert.Equal(1, answer[3] & 0x0F);
        Assert.Null(_handler.Handle(update.AsSpan(0, 5), new(System.Net.IPAddress.Loopback, 5353)));
        Assert.Empty(_records.Snapshot());
    }
}
