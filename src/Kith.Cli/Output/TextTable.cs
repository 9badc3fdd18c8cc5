using System.Text;

namespace Kith.Cli.Output;

/// <summary>
/// Plain aligned columns. Used where output can run to thousands of rows (a table library's layout
/// pass costs seconds there) and where scripts read the text with cut or awk.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public int Count => rows.Count;

    public void Add(params string[] cells) => rows.Add(cells);

    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var line = new StringBuilder();
        WriteRow(output, line, headers, widths);
        foreach (var row in rows)
        {
            WriteRow(output, line, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, StringBuilder line, string[] cells, int[] widths)
    {
        line.Clear();
        for (var i = 0; i < cells.Length; i++)
        {
            line.Append(cells[i]);
            if (i < cells.Length - 1)
            {
                line.Append(' ', widths[i] - cells[i].Length + 2);
            }
        }

        output.WriteLine(line);
    }
}
