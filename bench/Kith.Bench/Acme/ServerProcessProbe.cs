using System.Globalization;

namespace Kith.Bench.Acme;

/// <summary>Reads a server process's CPU time and peak memory from /proc (Linux).</summary>
internal static class ServerProcessProbe
{
    /// <summary>/proc reports CPU time in USER_HZ ticks, which Linux fixes at 100 per second on every architecture.</summary>
    private const double MillisecondsPerTick = 10;

    /// <summary>utime + stime of <paramref name="pid"/> in milliseconds, or null when the process is gone.</summary>
    public static double? CpuMilliseconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces; count fields after its last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of the line are utime and stime; fields[0] here is field 3 (state).
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * MillisecondsPerTick;
    }

    /// <summary>VmHWM (peak resident set) of <paramref name="pid"/> in MiB, or null when the process is gone.</summary>
    public static double? PeakResidentMiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
