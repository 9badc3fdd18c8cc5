using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kith.Acme;
using Kith.Pki;
using Kith.Tests.Pki;

namespace Kith.Tests.Acme;

public sealed class RenewalInfoTests
{
    [Fact]
    public void The_identifier_of_the_RFC_9773_example_parses_to_its_key_identifier_and_serial()
    {
        // RFC 9773 §4.1: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial 00:87:65:43:21.
        Assert.True(CertificateIdentifier.TryParse("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", out var identifier, out var error), error);

        Assert.Equal("69885B6B87464041E1B37B847BA0AE2CDE01C8D4", Convert.ToHexString(identifier!.KeyIdentifier.Span));
        Assert.Equal("0087654321", Convert.ToHexString(identifier.Serial.Span));
        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", identifier.ToString());
    }

    [Fact]
    public void The_identifier_of_a_kith_certificate_agrees_with_openssl_and_round_trips()
    {
        using var authorities = new TestAuthorities();
        using var issuer = new LeafIssuer(authorities.Host);
        var leaf = issuer.Issue(authorities.Request("music.home.arpa"));
        using var certificate = X509CertificateLoader.LoadCertificate(leaf.Der);

        var identifier = CertificateIdentifier.Of(certificate);
        var text = identifier.ToString();
        var (keyIdHex, serialHex) = Openssl(leaf.ToPem());

        var parts = text.Split('.');
        Assert.Equal(keyIdHex, Convert.ToHexString(Base64Url.DecodeFromChars(parts[0])));
        // openssl prints the serial as a number: without the DER sign byte a high first bit needs.
        var serial = Base64Url.DecodeFromChars(parts[1]);
        Assert.Equal(serialHex, Convert.ToHexString(serial[0] == 0 ? serial[1..] : serial));
        Assert.True(serial[0] < 0x80);
        Assert.True(CertificateIdentifier.TryParse(text, out var parsed, out _));
        Assert.True(parsed!.Matches(certificate));
        Assert.False(parsed.Matches(authorities.Host.Certificate));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ", "joined by one '.'")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE.x", "joined by one '.'")]
    [InlineData(".AIdlQyE", "key identifier")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ.", "serial number")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ=.AIdlQyE", "key identifier")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE=", "serial number")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNR.AIdlQyE", "key identifier")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdl+yE", "serial number")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ.h2VDIQ", "positive DER integer")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AAFlQyE", "positive DER integer")]
    [InlineData("aYhba4dGQEHhs3uEe6CuLN4ByNQ.A", "serial number")]
    public void Junk_identifiers_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(CertificateIdentifier.TryParse(text, out var identifier, out var error));

        Assert.Null(identifier);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_suggested_window_runs_from_two_thirds_to_five_sixths_of_the_lifetime()
    {
        var notBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var (start, end) = RenewalWindow.Suggested(notBefore, notBefore.AddDays(90));

        Assert.Equal(notBefore.AddDays(60), start);
        Assert.Equal(notBefore.AddDays(75), end);
        var json = JsonDocument.Parse(RenewalWindow.ToJson(start, end, new Uri("https://ca.home.arpa/renewal"))).RootElement;
        Assert.Equal("2026-03-02T00:00:00Z", json.GetProperty("suggestedWindow").GetProperty("start").GetString());
        Assert.Equal("2026-03-17T00:00:00Z", json.GetProperty("suggestedWindow").GetProperty("end").GetString());
        Assert.Equal("https://ca.home.arpa/renewal", json.GetProperty("explanationURL").GetString());
    }

    [Fact]
    public void The_window_of_a_certificate_is_the_same_every_time_and_inside_its_validity()
    {
        using var authorities = new TestAuthorities();
        using var issuer = new LeafIssuer(authorities.Host);
        using var certificate = X509CertificateLoader.LoadCertificate(issuer.Issue(authorities.Request("music.home.arpa")).Der);

        var first = RenewalWindow.Suggested(certificate);
        var second = RenewalWindow.Suggested(certificate);

        Assert.Equal(first, second);
        Assert.True(certificate.NotBefore.ToUniversalTime() < first.Start && first.Start < first.End && first.End < certificate.NotAfter.ToUniversalTime());
        Assert.False(JsonDocument.Parse(RenewalWindow.ToJson(first.Start, first.End)).RootElement.TryGetProperty("explanationURL", out _));
    }

    private static (string KeyIdHex, string SerialHex) Openssl(string pem)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, pem);
            var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "x509", "-in", path, "-noout", "-serial", "-ext", "authorityKeyIdentifier" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var serial = lines.Single(l => l.StartsWith("serial=", StringComparison.Ordinal))["serial=".Length..];
            // The line after the extension's title holds the key id as colon-separated hex, maybe after "keyid:".
            var title = Array.FindIndex(lines, l => l.StartsWith("X509v3 Authority Key Identifier", StringComparison.Ordinal));
            var keyId = lines[title + 1].Replace("keyid:", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal);
            return (keyId, serial);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
