using Kith.Operator;
using Kith.Pki;
using Kith.Storage;
using Kith.Tests.Pki;

namespace Kith.Tests.Operator;

/// <summary>The CRLs the operator keeps as PEM (the Root CRL, all-in-one Host CA CRLs): what they list, their numbers, when they are due.</summary>
public sealed class CrlFileTests : IAsyncDisposable
{
    private readonly TestAuthorities authorities = new();
    private readonly OpensslCli openssl = new();
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kith-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteCertificateStore store;

    public CrlFileTests()
    {
        store = SqliteCertificateStore.OpenAsync(Path.Combine(folder, "kith.db"), Ct).GetAwaiter().GetResult();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string CrlPath => Path.Combine(folder, "root-crl.pem");

    public async ValueTask DisposeAsync()
    {
        await store.DisposeAsync();
        authorities.Dispose();
        openssl.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_root_crl_lists_the_revoked_host_ca_with_its_reason_and_a_higher_number_each_time()
    {
        var now = authorities.Now;
        var hostSerial = authorities.Host.Certificate.SerialNumber.ToLowerInvariant();
        await store.RecordAsync([new CertificateRecord("root", hostSerial, CertificateKind.HostCa, ["storage.home.arpa"], "storage", null, authorities.Host.NotBefore, authorities.Host.NotAfter, Der: authorities.Host.Certificate.RawData)], Ct);

        await CrlFile.SignAsync(CrlPath, authorities.Root, store, now, Ct);
        var empty = OpensslCli.Run("crl", "-in", CrlPath, "-noout", "-text", "-crlnumber");
        await store.RevokeAsync("root", hostSerial, now, RevocationReason.KeyCompromise, Ct);
        var pem = await CrlFile.SignAsync(CrlPath, authorities.Root, store, now, Ct);
        var listed = OpensslCli.Run("crl", "-in", CrlPath, "-noout", "-text", "-crlnumber");
        var root = openssl.Write("root.pem", Pem.Encode("CERTIFICATE", authorities.Root.Certificate.RawData));
        var verified = OpensslCli.Run("crl", "-in", CrlPath, "-noout", "-CAfile", root);

        Assert.Contains("No Revoked Certificates", empty.Output, StringComparison.Ordinal);
        Assert.Contains("crlNumber=0x01", empty.Output, StringComparison.Ordinal);
        Assert.Contains("crlNumber=0x02", listed.Output, StringComparison.Ordinal);
        Assert.Contains(hostSerial.ToUpperInvariant(), listed.Output, StringComparison.Ordinal);
        Assert.Contains("Key Compromise", listed.Output, StringComparison.Ordinal);
        Assert.True(verified.ExitCode == 0 && verified.Output.Contains("verify OK", StringComparison.Ordinal), verified.Output);
        Assert.Equal(File.ReadAllText(CrlPath), pem);
        Assert.Equal([hostSerial], CrlSerials.Read(Pem.Decode(pem, "test")[0].Der));
    }

    [Fact]
    public async Task A_crl_is_due_when_missing_unreadable_or_with_less_than_30_of_its_90_days_left()
    {
        var now = authorities.Now;
        Assert.True(CrlFile.NeedsSigning(CrlPath, now));
        Assert.Null(CrlFile.NextUpdate(CrlPath));

        await CrlFile.SignAsync(CrlPath, authorities.Root, store, now, Ct);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((now + TimeSpan.FromDays(90)).ToUnixTimeSeconds()), CrlFile.NextUpdate(CrlPath));
        Assert.False(CrlFile.NeedsSigning(CrlPath, now + TimeSpan.FromDays(59)));
        Assert.True(CrlFile.NeedsSigning(CrlPath, now + TimeSpan.FromDays(61)));
        File.WriteAllText(CrlPath, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        Assert.True(CrlFile.NeedsSigning(CrlPath, now));
    }
}
