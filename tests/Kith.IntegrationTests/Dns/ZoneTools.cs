using System.Diagnostics;

namespace Kith.IntegrationTests.Dns;

/// <summary>The real DNS tools that judge kith's zone output: named-checkzone, unbound-checkconf, dnsmasq --test.</summary>
internal static class ZoneTools
{
    /// <summary>named-checkzone with full integrity checks, every warning class fatal, the way BIND would load it.</summary>
    public static (int ExitCode, string Output) CheckZone(string apex, string file) =>
        Run("named-checkzone", "-i", "full", "-k", "fail", "-n", "fail", "-m", "fail", "-M", "fail", "-S", "fail", apex, file);

    /// <summary>The zone as named-checkzone read it back, in its own canonical text (one record a line, absolute names).</summary>
    public static (int ExitCode, string Output) DumpZone(string apex, string file) =>
        Run("named-checkzone", "-D", "-o", "-", apex, file);

    /// <summary>unbound-checkconf on a config whose server: clause holds <paramref name="fragment"/>.</summary>
    public static (int ExitCode, string Output) CheckUnbound(string folder, string fragment)
    {
        var config = Path.Combine(folder, "unbound.conf");
        File.WriteAllText(config, $"server:\n  chroot: \"\"\n  username: \"\"\n  directory: \"{folder}\"\n  pidfile: \"\"\n{fragment}");
        return Run("unbound-checkconf", config);
    }

    public static (int ExitCode, string Output) CheckDnsmasq(string file) => Run("dnsmasq", "--test", $"--conf-file={file}");

    private static (int ExitCode, string Output) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
