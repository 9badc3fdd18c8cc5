using System.Diagnostics;

namespace Kith.IntegrationTests.Proxy;

/// <summary>The real curl, as a user would run it against a proxied name.</summary>
internal static class Curl
{
    /// <summary>curl's exit code when the server closed the connection without answering (nginx's 444).</summary>
    public const int EmptyReply = 52;

    /// <summary>curl's exit code when the TLS handshake failed.</summary>
    public const int TlsConnectError = 35;

    /// <summary>Runs curl with <c>-sS</c>, a timeout, and the arguments; stdout holds the body then the -w text.</summary>
    public static CurlResult Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "-sS", "--max-time", "20" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CurlResult(process.ExitCode, stdout.Result, stderr.Result, arguments);
    }

    /// <summary>GET https://NAME:PORT/PATH trusting only the Root, NAME resolved to 127.0.0.1; <c>-w</c> appends status and HTTP version.</summary>
    public static CurlResult Https(string root, string name, int port, string path = "/", params string[] extra) => Run(
        [
            "--cacert", root,
            "--resolve", $"{name}:{port}:127.0.0.1",
            "-w", "\nstatus: %{http_code}\nhttp_version: %{http_version}\n",
            .. extra,
            $"https://{name}:{port}{path}",
        ]);
}

/// <summary>One curl run: exit code, body (with the -w lines), errors.</summary>
internal sealed record CurlResult(int ExitCode, string Output, string Error, IReadOnlyList<string> Arguments)
{
    /// <summary>The value of the first line "NAME: value" of the output (a header the echo upstream saw, or a -w field), or null.</summary>
    public string? Line(string name) => Output.Split('\n')
        .Where(line => line.StartsWith(name + ": ", StringComparison.OrdinalIgnoreCase))
        .Select(line => line[(name.Length + 2)..].TrimEnd('\r'))
        .FirstOrDefault();

    public override string ToString() => $"curl {string.Join(' ', Arguments)}\nexit {ExitCode}\n{Output}\n{Error}";
}
