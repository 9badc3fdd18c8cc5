using System.Diagnostics;

namespace Kith.IntegrationTests.Proxy;

/// <summary>Runs the real curl, as a user checking an endpoint would.</summary>
internal static class CurlClient
{
    /// <summary>curl with a 10-second limit; returns its exit code (35 = handshake failed, 52 = empty reply, 56 = receive failure), the body and stderr.</summary>
    public static (int ExitCode, string Body, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--silent", "--show-error", "--max-time", "10" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>GET https://NAME:PORT/PATH through 127.0.0.1, trusting only <paramref name="rootPem"/>.</summary>
    public static (int ExitCode, string Body, string Error) Https(string name, int port, string rootPem, string path = "/", params string[] extra) =>
        Run([.. extra, "--cacert", rootPem, "--resolve", $"{name}:{port}:127.0.0.1", $"https://{name}:{port}{path}"]);
}
