using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Revocation;

/// <summary>The Root CRL's life on the operator: made by init, carried by the fleet state, signed again by apply only with the passphrase.</summary>
public class RootCrlTests
{
    [Fact]
    public async Task Init_makes_an_empty_root_crl_the_fleet_state_carries_and_apply_without_a_passphrase_only_warns_when_it_is_missing()
    {
        using var kith = new KithWorkspace(TestInventories.AlphaWithWeb);
        var init = await kith.SucceedAsync("init");
        var rootCrl = Path.Combine(kith.State, "root", "root-crl.pem");
        Assert.Contains("root CRL", init.Out, StringComparison.Ordinal);
        var (verified, text) = Openssl.Run("crl", "-in", rootCrl, "-noout", "-text", "-CAfile", kith.RootCertificate);
        Assert.True(verified == 0, text);
        Assert.Contains("No Revoked Certificates", text, StringComparison.Ordinal);
        Assert.Contains("verify OK", text, StringComparison.Ordinal);

        await kith.SucceedAsync("apply");
        Assert.Equal(File.ReadAllText(rootCrl), RootCrlInState(kith));
        var (_, extensions) = Openssl.Run("x509", "-in", Path.Combine(kith.State, "hosts", "alpha", "host-ca.pem"), "-noout", "-ext", "crlDistributionPoints");
        Assert.Contains("URI:http://alpha.home.arpa:8580/crl/root.crl", extensions, StringComparison.Ordinal);

        // No passphrase source (no file, no variable, no terminal): a warning, and the state goes on without a CRL.
        File.Delete(rootCrl);
        var withoutPassphrase = await CliRun.RunAsync("apply", "--state", kith.State, "-f", kith.Inventory);
        Assert.True(withoutPassphrase.ExitCode == 0, withoutPassphrase.ToString());
        Assert.Contains("warning: the Root CRL", withoutPassphrase.Err, StringComparison.Ordinal);
        Assert.Contains("is missing", withoutPassphrase.Err, StringComparison.Ordinal);
        Assert.Contains("--passphrase-file", withoutPassphrase.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(rootCrl));
        Assert.Null(RootCrlInState(kith));

        var withPassphrase = await kith.SucceedAsync("apply");
        Assert.Contains("root CRL", withPassphrase.Out, StringComparison.Ordinal);
        Assert.Contains("signed", withPassphrase.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(rootCrl), RootCrlInState(kith));
        var (_, number) = Openssl.Run("crl", "-in", rootCrl, "-noout", "-crlnumber");
        Assert.Contains("crlNumber=0x02", number, StringComparison.Ordinal);
    }

    private static string? RootCrlInState(KithWorkspace kith)
    {
        using var envelope = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(kith.State, "fleet-state.json")));
        using var payload = JsonDocument.Parse(Convert.FromBase64String(envelope.RootElement.GetProperty("payload").GetString()!));
        return payload.RootElement.GetProperty("root_crl").GetString();
    }
}
