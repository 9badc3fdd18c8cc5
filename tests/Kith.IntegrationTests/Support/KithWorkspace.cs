namespace Kith.IntegrationTests.Support;

/// <summary>
/// A temporary operator setup: a state folder, an inventory and a passphrase file, passed to every
/// command explicitly (never through environment variables: tests run in parallel in one process).
/// </summary>
internal sealed class KithWorkspace : IDisposable
{
    public const string Secret = "correct horse battery staple";

    private readonly TempFolder folder = new();

    public KithWorkspace(string? inventoryText = null)
    {
        State = folder.File("state");
        PassphraseFile = folder.Write("passphrase", Secret + "\n");
        Inventory = folder.Write("kith.yaml", inventoryText ?? Repository.Example("minimal.yaml"));
    }

    public string Path => folder.Path;

    public string State { get; }

    public string Inventory { get; set; }

    public string PassphraseFile { get; set; }

    public string RootCertificate => System.IO.Path.Combine(State, "root", "root-ca.pem");

    public string RootKey => System.IO.Path.Combine(State, "root", "root-ca.key");

    public string OutputFolder => System.IO.Path.Combine(State, "out");

    public string File(string name) => folder.File(name);

    public string Write(string name, string content) => folder.Write(name, content);

    /// <summary>Runs kith with this workspace's --state, -f and --passphrase-file after the given arguments.</summary>
    public Task<CliResult> KithAsync(params string[] args) =>
        CliRun.RunAsync([.. args, "--state", State, "-f", Inventory, "--passphrase-file", PassphraseFile]);

    /// <summary>Runs a command that must succeed, and returns what it printed.</summary>
    public async Task<CliResult> SucceedAsync(params string[] args)
    {
        var result = await KithAsync(args);
        Assert.True(result.ExitCode == 0, $"kith {string.Join(' ', args)}\n{result}");
        return result;
    }

    /// <summary>The folder of one endpoint as apply writes it: OUT/machine/path-on-machine.</summary>
    public string EndpointFolder(string machine, string pathOnMachine) =>
        System.IO.Path.Combine(OutputFolder, machine, pathOnMachine.TrimStart('/'));

    public void Dispose() => folder.Dispose();
}
