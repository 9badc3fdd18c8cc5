using Kith.Fleet;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Fleet;

public sealed class FleetStateFileTests : IDisposable
{
    private static readonly FakeTimeProvider Clock = new(TestPublisher.Start + TimeSpan.FromDays(1));

    private readonly string folder = Directory.CreateTempSubdirectory("kith-fleetstate-").FullName;

    private string StatePath => Path.Combine(folder, "state.json");

    [Fact]
    public void An_accepted_state_becomes_the_file_and_survives_a_reload()
    {
        using var fleet = new TestPublisher();
        var file = new FleetStateFile(StatePath, fleet.Root.Certificate, Clock);
        Assert.Null(file.Current);

        var signed = fleet.Signed(3);
        Assert.IsType<FleetStateVerdict.Accepted>(file.TryAccept(signed));

        Assert.Equal(signed, File.ReadAllBytes(StatePath));
        Assert.Equal(3, file.Current!.Version);
        Assert.Equal(3, new FleetStateFile(StatePath, fleet.Root.Certificate, Clock).Current!.Version);
    }

    [Fact]
    public void A_refused_state_leaves_the_last_good_file_byte_identical()
    {
        using var fleet = new TestPublisher();
        using var other = new TestPublisher();
        var file = new FleetStateFile(StatePath, fleet.Root.Certificate, Clock);
        Assert.IsType<FleetStateVerdict.Accepted>(file.TryAccept(fleet.Signed(5)));
        var good = File.ReadAllBytes(StatePath);
        var tampered = fleet.Signed(9);
        tampered[tampered.Length / 2] ^= 0x01;

        byte[][] refusedStates = [fleet.Signed(4), fleet.Signed(5), other.Signed(6), tampered, "{}"u8.ToArray()];
        foreach (var refusedState in refusedStates)
        {
            Assert.IsType<FleetStateVerdict.Refused>(file.TryAccept(refusedState));
            Assert.Equal(good, File.ReadAllBytes(StatePath));
            Assert.Equal(5, file.Current!.Version);
        }

        // A reloaded file remembers the version, so a replay after a restart is refused too.
        var reloaded = new FleetStateFile(StatePath, fleet.Root.Certificate, Clock);
        Assert.IsType<FleetStateVerdict.Refused>(reloaded.TryAccept(fleet.Signed(5)));
        Assert.IsType<FleetStateVerdict.Accepted>(reloaded.TryAccept(fleet.Signed(6)));
        Assert.Single(Directory.GetFiles(folder));
    }

    [Fact]
    public void A_damaged_last_good_copy_is_an_error_rather_than_a_reason_to_accept_any_version()
    {
        using var fleet = new TestPublisher();
        File.WriteAllText(StatePath, "{\"payload\":");

        var error = Assert.Throws<KithException>(() => new FleetStateFile(StatePath, fleet.Root.Certificate, Clock));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
