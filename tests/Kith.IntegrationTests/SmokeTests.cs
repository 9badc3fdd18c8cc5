namespace Kith.IntegrationTests;

public class SmokeTests
{
    [Fact]
    public void Openssl_is_installed() => Assert.True(File.Exists("/usr/bin/openssl"), "openssl missing: run ./test.sh");
}
