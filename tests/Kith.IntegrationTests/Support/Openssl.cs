using System.Diagnostics;

namespace Kith.IntegrationTests.Support;

/// <summary>Runs the real openssl binary: the outside judge of what kith issues.</summary>
internal static class Openssl
{
    public static (int ExitCode, string Output) Run(params string[] arguments) => Run(null, arguments);

    public static (int ExitCode, string Output) Run(IDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>openssl verify -x509_strict with the Root as the only trust anchor.</summary>
    public static (int ExitCode, string Output) Verify(string rootPem, string? intermediatePem, string leafPem, params string[] extra)
    {
        var arguments = new List<string> { "verify", "-x509_strict", "-CAfile", rootPem };
        if (intermediatePem is not null)
        {
            arguments.AddRange(["-untrusted", intermediatePem]);
        }

        arguments.AddRange(extra);
        arguments.Add(leafPem);
        return Run([.. arguments]);
    }
}
