using Kith.Dns;
using Kith.Dns.Update;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Dns;

public sealed class UpdateDynamicTxtRecordsTests
{
    [Fact]
    public void A_record_the_client_never_deletes_is_gone_an_hour_after_it_was_added_and_Changed_fires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T18:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var records = new DynamicTxtRecords(time);
        var changes = 0;
        records.Changed += () => changes++;
        records.Add("_acme-challenge.music.home.arpa", "token-1", 120);
        time.Advance(TimeSpan.FromMinutes(30));
        records.Add("_acme-challenge.db.home.arpa", "token-2", 120);

        time.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal([new ZoneRecord("_acme-challenge.db.home.arpa", "TXT", 120, "token-2")], records.Snapshot());
        Assert.Equal(3, changes);
        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(records.Snapshot());
        Assert.Equal(4, changes);
    }

    [Fact]
    public void Adding_the_same_record_again_restarts_its_hour_and_does_not_duplicate_it()
    {
        var time = new FakeTimeProvider();
        using var records = new DynamicTxtRecords(time);
        records.Add("_acme-challenge.music.home.arpa", "token-1", 60);
        time.Advance(TimeSpan.FromMinutes(50));
        records.Add("_acme-challenge.music.home.arpa.", "token-1", 60);

        time.Advance(TimeSpan.FromMinutes(50));

        Assert.Single(records.Snapshot());
    }

    [Fact]
    public void No_more_than_the_cap_is_held()
    {
        using var records = new DynamicTxtRecords(new FakeTimeProvider());
        for (var i = 0; i < DynamicTxtRecords.MaxRecords; i++)
        {
            Assert.True(records.Add("_acme-challenge.music.home.arpa", $"token-{i}", 60));
        }

        Assert.False(records.Add("_acme-challenge.music.home.arpa", "one-more", 60));
        Assert.True(records.Add("_acme-challenge.music.home.arpa", "token-0", 60));
        Assert.Equal(DynamicTxtRecords.MaxRecords, records.Count);
    }
}
