namespace Kith.Tests;

public class SmokeTests
{
    [Fact]
    public void Key_algorithms_cover_the_three_the_inventory_accepts() =>
        Assert.Equal(3, Enum.GetValues<Kith.Pki.KeyAlgorithm>().Length);
}
