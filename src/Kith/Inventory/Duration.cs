using System.Globalization;

namespace Kith.Inventory;

/// <summary>Durations as kith.yaml and the CLI write them: <c>7d</c>, <c>12h</c>, <c>1y</c>.</summary>
public static class Duration
{
    /// <summary>Longest duration accepted: beyond this a typo (<c>3650y</c>) is more likely than intent.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(100 * 365);

    /// <summary>
    /// Parses <c>90d</c>-style durations: a positive integer and one unit of s, m, h, d, w or y
    /// (y = 365 days). Returns null with the reason in <paramref name="error"/> otherwise.
    /// </summary>
    public static TimeSpan? Parse(string text, out string error)
    {
        error = string.Empty;
        var unit = text.Length > 0 ? text[^1] : ' ';
        var number = text.Length > 0 ? text[..^1] : text;
        var seconds = unit switch
        {
            's' => 1L,
            'm' => 60L,
            'h' => 3600L,
            'd' => 86400L,
            'w' => 7 * 86400L,
            'y' => 365 * 86400L,
            _ => 0L,
        };
        if (seconds == 0 || number.Length == 0 || !number.All(char.IsAsciiDigit))
        {
            error = $"'{text}' is not a duration; write a whole number and a unit (s, m, h, d, w, y), e.g. 90d";
            return null;
        }

        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxValidity.TotalSeconds / seconds)
        {
            error = $"'{text}' is longer than the {MaxValidity.TotalDays / 365:0} years kith accepts";
            return null;
        }

        if (count == 0)
        {
            error = $"'{text}' is zero; a validity must be longer than that";
            return null;
        }

        return TimeSpan.FromSeconds(count * seconds);
    }
}
