using Kith.Fleet;
using Kith.Reconcile;
using Kith.Tests.Pki;
using Microsoft.Extensions.Time.Testing;

namespace Kith.Tests.Reconcile;

/// <summary>A temp root, a Root and Host CA "storage" made with kith's code, a fake clock, and a reconciler writing under the root.</summary>
internal sealed class ReconcileFixture : IDisposable
{
    public ReconcileFixture(ReconcileOptions? options = null, TestAuthorities? authorities = null)
    {
        Root = Directory.CreateTempSubdirectory("kith-reconcile-").FullName;
        Authorities = authorities ?? new TestAuthorities();
        Time = new FakeTimeProvider(Authorities.Now);
        Options = (options ?? new ReconcileOptions()) with { PathRoot = Root, ManifestPath = Path.Combine(Root, "agent", "endpoints.tsv") };
        Reconciler = new EndpointReconciler(Time, Options, new Random(7));
    }

    public string Root { get; }

    public TestAuthorities Authorities { get; }

    public FakeTimeProvider Time { get; }

    public ReconcileOptions Options { get; }

    public EndpointReconciler Reconciler { get; }

    public string Folder(string service) => Path.Combine(Root, "srv", service);

    public string CertPem(string service) => File.ReadAllText(Path.Combine(Folder(service), "cert.pem"));

    public string KeyPem(string service) => File.ReadAllText(Path.Combine(Folder(service), "key.pem"));

    public FleetEndpoint Endpoint(string service, string name, IReadOnlyList<string>? reload = null, string? mode = null) =>
        new(service, [name], "server", Folder: $"/srv/{service}", Mode: mode, Reload: reload);

    public static FleetState State(params FleetEndpoint[] endpoints) => new(
        1,
        "home.arpa",
        DateTimeOffset.UnixEpoch,
        [new FleetMachine("storage", ["100.64.0.10"], [], [], endpoints), new FleetMachine("edge", [], [], [], [])],
        [],
        [],
        null,
        "ROOT");

    public Task<ReconcileResult> PassAsync(FleetState state) =>
        Reconciler.ReconcileAsync(state, "storage", Authorities.Host, TestContext.Current.CancellationToken);

    /// <summary>A reload that appends a line to a file: how many times it ran is the line count.</summary>
    public (string[] Argv, Func<int> Runs) CountingReload(string name)
    {
        var file = Path.Combine(Root, $"{name}.reloads");
        return (["/bin/sh", "-c", $"echo ok >> '{file}'"], () => File.Exists(file) ? File.ReadAllLines(file).Length : 0);
    }

    public void Dispose()
    {
        Authorities.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
