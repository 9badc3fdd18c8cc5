using System.Diagnostics;

namespace Kith.Tests.Pki;

/// <summary>Runs the real openssl binary on files in a temporary folder: the outside judge of what kith signs.</summary>
internal sealed class OpensslCli : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "kith-tests", Guid.NewGuid().ToString("N"));

    public OpensslCli() => Directory.CreateDirectory(folder);

    /// <summary>Writes a file into the temporary folder and returns its path.</summary>
    public string Write(string name, byte[] content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public string Write(string name, string content) => Write(name, System.Text.Encoding.ASCII.GetBytes(content));

    /// <summary>Exit code and stdout + stderr.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
