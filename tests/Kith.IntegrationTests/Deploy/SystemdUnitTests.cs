using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Deploy;

/// <summary>deploy/kith-agent.service as systemd itself reads it (systemd-analyze, offline: no running systemd needed).</summary>
public partial class SystemdUnitTests
{
    private static readonly string? Analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);

    [Fact]
    public void Systemd_accepts_the_agent_unit_and_the_root_drop_in_documented_in_it_without_a_warning()
    {
        Assert.SkipWhen(Analyze is null, "systemd-analyze is not installed (Debian: apt-get install systemd)");
        var unit = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "kith-agent.service"));
        var dropIn = string.Join('\n', DropInLine().Matches(unit[unit.IndexOf("To give files other owners", StringComparison.Ordinal)..unit.IndexOf("A machine with role dns", StringComparison.Ordinal)]).Select(m => m.Groups[1].Value));
        Assert.Contains("CapabilityBoundingSet=CAP_CHOWN CAP_FOWNER", dropIn, StringComparison.Ordinal);

        foreach (var (name, text) in new[] { ("as shipped", unit), ("with the root drop-in", unit.Replace("\n[Install]", "\n" + dropIn.Replace("[Service]\n", string.Empty, StringComparison.Ordinal) + "\n[Install]", StringComparison.Ordinal)) })
        {
            var (code, output) = Verify(text);
            Assert.True(code == 0 && output.Length == 0, $"{name}: systemd-analyze verify exited {code}:\n{output}");
        }
    }

    [Fact]
    public void Systemd_accepts_the_agent_unit_with_the_dns_drop_in_documented_in_it_without_a_warning()
    {
        Assert.SkipWhen(Analyze is null, "systemd-analyze is not installed (Debian: apt-get install systemd)");
        var unit = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "kith-agent.service"));
        var section = unit[unit.IndexOf("A machine with role dns", StringComparison.Ordinal)..unit.IndexOf("\nCapabilityBoundingSet=\n", StringComparison.Ordinal)];
        var dropIn = string.Join('\n', DropInLine().Matches(section).Select(m => m.Groups[1].Value).Where(line => line != "[Service]"));
        Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", dropIn, StringComparison.Ordinal);

        var (code, output) = Verify(unit.Replace("\n[Install]", "\n" + dropIn + "\n[Install]", StringComparison.Ordinal));

        Assert.True(code == 0 && output.Length == 0, $"with the dns drop-in: systemd-analyze verify exited {code}:\n{output}");
    }

    [Fact]
    public void A_misspelt_key_in_the_unit_is_reported_so_the_verify_test_can_fail()
    {
        Assert.SkipWhen(Analyze is null, "systemd-analyze is not installed (Debian: apt-get install systemd)");
        var unit = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "kith-agent.service"));

        var (_, output) = Verify(unit.Replace("NoNewPrivileges=yes", "NoNewPrivilege=yes", StringComparison.Ordinal));

        Assert.Contains("Unknown key 'NoNewPrivilege'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_agent_unit_exposure_level_is_at_most_two()
    {
        Assert.SkipWhen(Analyze is null, "systemd-analyze is not installed (Debian: apt-get install systemd)");
        using var folder = new TempFolder();
        var path = folder.Write("kith-agent.service", File.ReadAllText(Path.Combine(Repository.Root, "deploy", "kith-agent.service")));

        var (code, output) = Run("security", "--offline=true", path);

        Assert.True(code == 0, output);
        var level = double.Parse(Exposure().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(level <= 2.0, output);
        TestContext.Current.SendDiagnosticMessage($"systemd-analyze security: exposure {level}");
    }

    /// <summary>verify needs ExecStart to exist: the unit is checked with a stand-in for /usr/local/bin/kith.</summary>
    private static (int Code, string Output) Verify(string unit)
    {
        using var folder = new TempFolder();
        var standIn = folder.Write("kith", "#!/bin/sh\n");
        File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = folder.Write("kith-agent.service", unit.Replace("/usr/local/bin/kith", standIn, StringComparison.Ordinal));
        return Run("verify", path);
    }

    private static (int Code, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Analyze!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }

    /// <summary>A commented line of the drop-in in the unit ("#   Key=value").</summary>
    [GeneratedRegex(@"^#   (\S.*)$", RegexOptions.Multiline)]
    private static partial Regex DropInLine();

    [GeneratedRegex(@"Overall exposure level for \S+: ([0-9.]+)")]
    private static partial Regex Exposure();
}
