using System.Net;
using System.Security.Cryptography.X509Certificates;
using Kith.Agent;
using Kith.Enrollment;
using Kith.Pki;
using Kith.Tests.Pki;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Agent;

/// <summary>The agent's own HTTPS certificate is renewed while it runs: at 2/3 of its lifetime, and under a newly installed Host CA.</summary>
public sealed class AgentIdentityTests : IDisposable
{
    private static readonly IPEndPoint Listen = IPEndPoint.Parse("100.64.0.10:8555");

    private readonly string dir = Directory.CreateTempSubdirectory("kith-identity-").FullName;
    private readonly TestAuthorities authorities = new();

    public AgentIdentityTests()
    {
        File.WriteAllText(Path.Combine(dir, "host-ca.key"), PrivateKeyPem.Export(authorities.HostKey));
        File.WriteAllText(Path.Combine(dir, "host-ca.pem"), Pem.Encode("CERTIFICATE", authorities.Host.Certificate.RawData));
        File.WriteAllText(Path.Combine(dir, "root-ca.pem"), Pem.Encode("CERTIFICATE", authorities.Root.Certificate.RawData));
    }

    [Fact]
    public void The_certificate_is_kept_until_two_thirds_of_its_lifetime_then_a_new_one_is_served()
    {
        var time = new FakeTimeProvider(authorities.Now);
        using var identity = AgentIdentity.Load(new AgentFolder(dir), null, [Listen], TimeSpan.FromHours(3), time);
        var first = identity.ServerCertificate;
        Assert.Equal(authorities.Now + TimeSpan.FromHours(2), identity.RenewalPoint, TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Same(first, identity.ServerCertificate);
        Assert.Same(identity.ServerCertificateContext, identity.ServerCertificateContext);

        time.Advance(TimeSpan.FromSeconds(1));
        var second = identity.ServerCertificate;

        Assert.NotSame(first, second);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
        Assert.Equal((time.GetUtcNow() + TimeSpan.FromHours(3)).UtcDateTime, second.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.Equal("storage.home.arpa", second.GetNameInfo(X509NameType.DnsName, forIssuer: false));
        Assert.True(second.HasPrivateKey);
        // The one before stays usable (a handshake may still hold it) until the next renewal.
        Assert.NotEmpty(first.RawData);
    }

    [Fact]
    public void A_newly_installed_host_ca_gets_a_certificate_issued_under_it_at_once_with_it_in_the_chain()
    {
        var time = new FakeTimeProvider(authorities.Now);
        using var identity = AgentIdentity.Load(new AgentFolder(dir), null, [Listen], TimeSpan.FromDays(7), time);
        var before = identity.ServerCertificate;
        var log = new LogLines();
        identity.UseLogger(log);

        // The operator re-signs the same key (here: later notBefore, so a different certificate).
        var spki = authorities.Host.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var resigned = HostCa.Sign(authorities.Root, "storage", "home.arpa", spki, authorities.Host.Constraints, authorities.Now, authorities.Now + TimeSpan.FromDays(60), SerialNumber.New());
        identity.ReplaceHostCa(X509CertificateLoader.LoadCertificate(resigned.RawData));

        var after = identity.ServerCertificate;
        Assert.True(before.SerialNumber != after.SerialNumber, string.Join('\n', log.Lines));
        Assert.Contains(log.Lines, l => l.Contains("agent certificate renewed", StringComparison.Ordinal) && l.Contains(resigned.SerialNumber.ToLowerInvariant(), StringComparison.Ordinal));
        Assert.Equal(resigned.SerialNumber, identity.HostCa.SerialNumber);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(identity.Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.Add(identity.HostCa);
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        Assert.True(chain.Build(after), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(resigned.SerialNumber, chain.ChainElements[1].Certificate.SerialNumber);
        Assert.Equal(resigned.SerialNumber, identity.ServerCertificateContext.IntermediateCertificates.Single().SerialNumber);
        resigned.Dispose();
    }

    [Fact]
    public void A_renewal_that_fails_keeps_serving_the_current_certificate_and_is_retried_a_minute_later()
    {
        var time = new FakeTimeProvider(authorities.Now);
        using var identity = AgentIdentity.Load(new AgentFolder(dir), null, [Listen], TimeSpan.FromHours(3), time);
        var first = identity.ServerCertificate;
        var keyPath = Path.Combine(dir, "host-ca.key");
        var key = File.ReadAllText(keyPath);
        File.WriteAllText(keyPath, "not a key\n");

        time.Advance(TimeSpan.FromHours(2));
        Assert.Same(first, identity.ServerCertificate);
        File.WriteAllText(keyPath, key);
        Assert.Same(first, identity.ServerCertificate);

        time.Advance(AgentIdentity.MinimumRenewalSpacing);
        Assert.NotSame(first, identity.ServerCertificate);
    }

    public void Dispose()
    {
        authorities.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Keeps the formatted log lines.</summary>
    private sealed class LogLines : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            Lines.Add(formatter(state, exception));
        }
    }
}
