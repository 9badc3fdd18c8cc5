using System.Net;
using ARSoft.Tools.Net.Dns;
using Kith.Dns;
using Kith.Dns.Server;
using static Kith.Tests.Dns.ServerQueries;

namespace Kith.Tests.Dns;

/// <summary>The answers of the pre-encoded table, read back by ARSoft.Tools.Net (docs/dns.md, "Serving").</summary>
public class ServerAnswerTests
{
    private static readonly AnswerTable Table = AnswerTableBuilder.Build(ServerTestZones.Home(), []);

    [Fact]
    public void AnAddressIsAnsweredAuthoritativelyWithTheQuestionSpelledAsAsked()
    {
        var response = Ask(Table, Query("StOrAgE.HoMe.ArPa", (ushort)RecordType.A, id: 0xBEEF));

        Assert.Equal(0xBEEF, response.TransactionID);
        Assert.False(response.IsQuery);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.True(response.IsRecursionDesired);
        Assert.False(response.IsRecursionAllowed);
        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal("StOrAgE.HoMe.ArPa.", response.Questions.Single().Name.ToString());
        var a = Assert.IsType<ARecord>(Assert.Single(response.AnswerRecords));
        Assert.Equal(IPAddress.Parse("100.64.0.10"), a.Address);
        Assert.Equal(300, a.TimeToLive);
        Assert.Equal("StOrAgE.HoMe.ArPa.", a.Name.ToString());
    }

    [Fact]
    public void ACnameChainIsFollowedToTheAddress()
    {
        var response = Ask(Table, Query("chain.home.arpa", (ushort)RecordType.A));

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Collection(
            response.AnswerRecords,
            r => Assert.Equal(("chain.home.arpa.", "music.home.arpa."), (r.Name.ToString(), ((CNameRecord)r).CanonicalName.ToString())),
            r => Assert.Equal(("music.home.arpa.", "storage.home.arpa."), (r.Name.ToString(), ((CNameRecord)r).CanonicalName.ToString())),
            r => Assert.Equal(("storage.home.arpa.", IPAddress.Parse("100.64.0.10")), (r.Name.ToString(), ((ARecord)r).Address)));
    }

    [Fact]
    public void AskingForTheCnameItselfGivesOnlyTheCname()
    {
        var response = Ask(Table, Query("chain.home.arpa", (ushort)RecordType.CName));

        var cname = Assert.IsType<CNameRecord>(Assert.Single(response.AnswerRecords));
        Assert.Equal("music.home.arpa.", cname.CanonicalName.ToString());
    }

    [Fact]
    public void AMissingNameIsNxdomainWithTheSoaForNegativeCaching()
    {
        var response = Ask(Table, Query("nope.home.arpa", (ushort)RecordType.A));

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Empty(response.AnswerRecords);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(response.AuthorityRecords));
        Assert.Equal("home.arpa.", soa.Name.ToString());
        Assert.Equal(ServerTestZones.Serial, soa.SerialNumber);
        Assert.Equal(60, soa.TimeToLive); // the SOA minimum, below its TTL (RFC 2308)
    }

    [Theory]
    [InlineData("storage.home.arpa", RecordType.Txt)]
    [InlineData("_tcp.home.arpa", RecordType.Srv)] // an empty non-terminal exists
    [InlineData("apps.home.arpa", RecordType.A)]
    public void ANameWithoutThatTypeIsNodata(string name, RecordType type)
    {
        var response = Ask(Table, Query(name, (ushort)type));

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Empty(response.AnswerRecords);
        Assert.IsType<SoaRecord>(Assert.Single(response.AuthorityRecords));
    }

    [Theory]
    [InlineData("grafana.apps.home.arpa")]
    [InlineData("a.b.apps.home.arpa")]
    public void AWildcardAnswersForAnyNameBelowIt(string name)
    {
        var response = Ask(Table, Query(name, (ushort)RecordType.A));

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Collection(
            response.AnswerRecords,
            r => Assert.Equal((name + ".", "storage.home.arpa."), (r.Name.ToString(), ((CNameRecord)r).CanonicalName.ToString())),
            r => Assert.Equal(IPAddress.Parse("100.64.0.10"), ((ARecord)r).Address));
    }

    [Fact]
    public void BelowANameThatExistsTheWildcardAboveDoesNotApply()
    {
        // RFC 4592: the closest encloser of x.music.home.arpa is music.home.arpa, which has no wildcard child.
        Assert.Equal(ReturnCode.NxDomain, Ask(Table, Query("x.music.home.arpa", (ushort)RecordType.A)).ReturnCode);
    }

    [Fact]
    public void ACnameToAMissingNameIsNxdomainAfterTheChain()
    {
        var response = Ask(Table, Query("dangling.home.arpa", (ushort)RecordType.A));

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.IsType<CNameRecord>(Assert.Single(response.AnswerRecords));
        Assert.IsType<SoaRecord>(Assert.Single(response.AuthorityRecords));
    }

    [Fact]
    public void ACnameLeavingTheZonesEndsTheAnswerThere()
    {
        var response = Ask(Table, Query("outside.home.arpa", (ushort)RecordType.A));

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal("www.example.com.", ((CNameRecord)Assert.Single(response.AnswerRecords)).CanonicalName.ToString());
        Assert.Empty(response.AuthorityRecords);
    }

    [Fact]
    public void ACnameLoopStopsAfterEightLinks()
    {
        var response = Ask(Table, Query("loop1.home.arpa", (ushort)RecordType.A));

        Assert.Equal(AnswerTableBuilder.MaxChain, response.AnswerRecords.Count);
        Assert.All(response.AnswerRecords, r => Assert.IsType<CNameRecord>(r));
    }

    [Fact]
    public void ANestedZoneAnswersForItselfAndAChainCrossesIntoIt()
    {
        var soa = Ask(Table, Query("lab.home.arpa", (ushort)RecordType.Soa));
        Assert.Equal("lab.home.arpa.", Assert.IsType<SoaRecord>(Assert.Single(soa.AnswerRecords)).Name.ToString());
        Assert.True(soa.IsAuthoritiveAnswer);

        var chain = Ask(Table, Query("into-lab.home.arpa", (ushort)RecordType.A));
        Assert.Equal(IPAddress.Parse("100.64.1.1"), Assert.IsType<ARecord>(chain.AnswerRecords[^1]).Address);
    }

    [Fact]
    public void SrvAndNsAreServed()
    {
        var srv = Assert.IsType<SrvRecord>(Assert.Single(Ask(Table, Query("_ldap._tcp.home.arpa", (ushort)RecordType.Srv)).AnswerRecords));
        Assert.Equal((0, 5, 389, "storage.home.arpa."), (srv.Priority, srv.Weight, srv.Port, srv.Target.ToString()));
        var ns = Assert.IsType<NsRecord>(Assert.Single(Ask(Table, Query("home.arpa", (ushort)RecordType.Ns)).AnswerRecords));
        Assert.Equal("storage.home.arpa.", ns.NameServer.ToString());
    }

    [Fact]
    public void AnyGetsTheMinimalRfc8482Answer()
    {
        var hinfo = Assert.IsType<HInfoRecord>(Assert.Single(Ask(Table, Query("storage.home.arpa", (ushort)RecordType.Any)).AnswerRecords));
        Assert.Equal("RFC8482", hinfo.Cpu);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("arpa")]
    [InlineData("home.arpa.example.com")]
    public void ANameInNoServedZoneIsRefused(string name)
    {
        var response = Ask(Table, Query(name, (ushort)RecordType.A));

        Assert.Equal(ReturnCode.Refused, response.ReturnCode);
        Assert.False(response.IsAuthoritiveAnswer);
    }

    [Fact]
    public void OtherClassesAndZoneTransfersAreRefused()
    {
        Assert.Equal(ReturnCode.Refused, Ask(Table, Query("storage.home.arpa", (ushort)RecordType.A, qclass: 3)).ReturnCode);
        Assert.Equal(ReturnCode.Refused, Ask(Table, Query("home.arpa", (ushort)RecordType.Axfr)).ReturnCode);
    }

    [Theory]
    [InlineData(2)] // STATUS
    [InlineData(4)] // NOTIFY
    [InlineData(5)] // UPDATE, when no update handler is configured
    public void OtherOpcodesAreNotImplemented(byte opcode)
    {
        var query = Query("home.arpa", (ushort)RecordType.Soa, opcode: opcode);
        var response = new byte[DnsResponder.MaxResponse];
        var length = DnsResponder.Respond(Table, query, response, tcp: false, out var rcode);

        Assert.Equal(DnsRcode.NotImp, rcode);
        Assert.Equal(ReturnCode.NotImplemented, DnsMessage.Parse(new ArraySegment<byte>(response, 0, length)).ReturnCode);
    }

    [Fact]
    public void TwoQuestionsAreAFormatError()
    {
        var query = Query("home.arpa", (ushort)RecordType.Soa, questions: 2);
        var response = new byte[DnsResponder.MaxResponse];
        var length = DnsResponder.Respond(Table, query, response, tcp: false, out var rcode);

        Assert.Equal(DnsRcode.FormErr, rcode);
        Assert.Equal(12, length);
    }

    [Fact]
    public void ResponsesAndShortMessagesAreDropped()
    {
        var response = Query("home.arpa", (ushort)RecordType.Soa);
        response[2] |= 0x80;

        Assert.Equal(DnsResponder.Kind.Drop, DnsResponder.Classify(response));
        Assert.Equal(DnsResponder.Kind.Drop, DnsResponder.Classify(new byte[11]));
    }

    [Fact]
    public void EdnsIsEchoedWithOurPayloadSizeAndAnUnknownVersionIsBadvers()
    {
        var response = Ask(Table, Query("storage.home.arpa", (ushort)RecordType.A, ednsSize: 4096));
        Assert.True(response.IsEDnsEnabled);
        Assert.Equal(1232, response.EDnsOptions!.UdpPayloadSize);
        Assert.Single(response.AnswerRecords);

        var badVersion = Ask(Table, Query("storage.home.arpa", (ushort)RecordType.A, ednsSize: 1232, ednsVersion: 1));
        Assert.Equal(ReturnCode.BadVersion, badVersion.ReturnCode);
        Assert.Empty(badVersion.AnswerRecords);
    }

    [Fact]
    public void ABigAnswerIsTruncatedOverUdpAndWholeOverTcp()
    {
        var classic = Ask(Table, Query("big.home.arpa", (ushort)RecordType.Txt));
        Assert.True(classic.IsTruncated);
        Assert.Empty(classic.AnswerRecords);
        Assert.Equal("big.home.arpa.", classic.Questions.Single().Name.ToString());

        var edns = AskRaw(Table, Query("big.home.arpa", (ushort)RecordType.Txt, ednsSize: 4096));
        Assert.True(DnsMessage.Parse(new ArraySegment<byte>(edns)).IsTruncated); // over 1232 bytes even with EDNS
        Assert.True(edns.Length <= 1232);

        var tcp = Ask(Table, Query("big.home.arpa", (ushort)RecordType.Txt), tcp: true);
        Assert.False(tcp.IsTruncated);
        Assert.Equal(10, tcp.AnswerRecords.Count);
        Assert.Contains(tcp.AnswerRecords, r => ((TxtRecord)r).TextData == "3:" + new string('x', 200));
    }

    [Fact]
    public void DynamicTxtRecordsAreServedOverTheZone()
    {
        var table = AnswerTableBuilder.Build(ServerTestZones.Home(), [new ZoneRecord("_acme-challenge.www.home.arpa", "TXT", 60, "token-1"), new ZoneRecord("_acme-challenge.example.com", "TXT", 60, "elsewhere")]);

        var txt = Assert.IsType<TxtRecord>(Assert.Single(Ask(table, Query("_acme-challenge.www.home.arpa", (ushort)RecordType.Txt)).AnswerRecords));
        Assert.Equal("token-1", txt.TextData);
        Assert.Equal(ReturnCode.NoError, Ask(table, Query("www.home.arpa", (ushort)RecordType.A)).ReturnCode); // now an empty non-terminal
        Assert.Equal(ReturnCode.Refused, Ask(table, Query("_acme-challenge.example.com", (ushort)RecordType.Txt)).ReturnCode);
    }

    [Fact]
    public void AnEmptyTableRefusesEverything()
    {
        Assert.Equal(ReturnCode.Refused, Ask(AnswerTable.Empty, Query("storage.home.arpa", (ushort)RecordType.A)).ReturnCode);
    }
}
