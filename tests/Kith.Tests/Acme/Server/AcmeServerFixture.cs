using System.Security.Cryptography.X509Certificates;
using Kith.Acme.Server;
using Kith.Acme.Store;
using Kith.Acme.Validation;
using Kith.Pki;
using Kith.Storage;
using Kith.Tests.Pki;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kith.Tests.Acme.Server;

/// <summary>
/// An <see cref="AcmeServer"/> over a real SQLite store in a temporary folder, issuing from the test Host CA
/// (which may certify music.home.arpa, storage.home.arpa and 100.64.0.10).
/// </summary>
internal sealed class AcmeServerFixture : IAsyncDisposable
{
    private readonly TestAuthorities authorities = new();
    private readonly ChallengeValidationQueue queue = new();

    private AcmeServerFixture(string folder, IAcmeStore store, SqliteCertificateStore certificates, AcmeIssuingAuthority authority)
    {
        Folder = folder;
        Store = store;
        Certificates = certificates;
        Authority = authority;
    }

    public string Folder { get; }

    public IAcmeStore Store { get; }

    public SqliteCertificateStore Certificates { get; }

    public AcmeIssuingAuthority Authority { get; }

    public AcmeServer Server { get; private set; } = null!;

    public X509Certificate2 HostCaCertificate => Authority.Certificate;

    public static async Task<AcmeServerFixture> StartAsync(AcmeServerOptions? options = null, string? folder = null)
    {
        folder ??= Path.Combine(Path.GetTempPath(), "kith-tests", "acme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "kith.db");
        var authorities = new TestAuthorities();
        var host = authorities.Host;
        var authority = new AcmeIssuingAuthority(
            new CertificateAuthority(host.Name, X509CertificateLoader.LoadCertificate(host.Certificate.RawData), host.CloneKey(), [authorities.Root.SubjectPublicKeyInfo]),
            TimeSpan.FromDays(7));
        authorities.Dispose();
        var fixture = new AcmeServerFixture(folder, await SqliteAcmeStore.OpenAsync(database), await SqliteCertificateStore.OpenAsync(database), authority);
        fixture.Server = fixture.NewServer(options ?? new AcmeServerOptions { AutoValidChallenges = true });
        return fixture;
    }

    /// <summary>Another server over the same store, as after a restart of the agent.</summary>
    public AcmeServer NewServer(AcmeServerOptions options)
    {
        var validation = new ChallengeValidationOptions();
        return new AcmeServer(
            options,
            Store,
            Certificates,
            () => Authority,
            [new Http01Validator(validation), new Dns01Validator(validation), new TlsAlpn01Validator(validation)],
            queue,
            NullLogger.Instance);
    }

    public AcmeTestClient Client(string keyType = "P-256") => new(Server, TestAcmeKey.Create(keyType));

    public async ValueTask DisposeAsync()
    {
        Server.Dispose();
        queue.Dispose();
        await Store.DisposeAsync();
        await Certificates.DisposeAsync();
        Authority.Dispose();
        authorities.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
