namespace Kith.Inventory;

/// <summary>A string read from the inventory with where it was written, for later cross-checks.</summary>
internal sealed record Located(string Value, YNode Node, string Field);

/// <summary>
/// Typed access to <see cref="YNode"/>s that records a located <see cref="InventoryError"/> for every
/// wrong type or unknown key instead of throwing, so one load reports every problem at once.
/// </summary>
internal sealed class NodeReader(string file)
{
    private readonly List<InventoryError> _errors = [];

    public string File { get; } = file;

    public IReadOnlyList<InventoryError> Errors => _errors;

    public void Error(YNode node, string field, string message) => Error(node.Line, node.Column, field, message);

    public void Error(int line, int column, string field, string message) =>
        _errors.Add(new InventoryError(File, line, column, field, message));

    /// <summary>"kith.yaml:12:7", to point from one error to another place in the file.</summary>
    public string Where(YNode node) => $"{File}:{node.Line}:{node.Column}";

    /// <summary>The node as a map; null (without error) when absent or null, null with an error when another type.</summary>
    public YMapping? Map(YNode? node, string field) => node switch
    {
        null or YScalar { IsNull: true } => null,
        YMapping map => map,
        _ => WrongType<YMapping>(node, field, "a map (key: value lines)"),
    };

    /// <summary>The node's items; empty when absent or null; an error when not a list.</summary>
    public IReadOnlyList<YNode> List(YNode? node, string field, string? hint = null) => node switch
    {
        null or YScalar { IsNull: true } => [],
        YSequence sequence => sequence.Items,
        _ => WrongType<YSequence>(node, field, "a list", hint)?.Items ?? [],
    };

    /// <summary>The node's text; null when absent or null; an error when a list or map.</summary>
    public string? Text(YNode? node, string field) => node switch
    {
        null or YScalar { IsNull: true } => null,
        YScalar scalar => scalar.Value,
        _ => WrongType<YScalar>(node, field, "a string")?.Value,
    };

    /// <summary>A YAML boolean (plain true/false in any of the core schema's cases); null when absent or not one.</summary>
    public bool? Flag(YNode? node, string field)
    {
        var text = Text(node, field);
        if (text is null || node is null)
        {
            return null;
        }

        if (node is YScalar { IsPlain: true } && text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return text.Equals("true", StringComparison.OrdinalIgnoreCase);
        }

        Error(node, field, $"expected true or false (unquoted), found '{text}'");
        return null;
    }

    /// <summary>One of a fixed set of words (any case); <paramref name="fallback"/> when absent or unknown.</summary>
    public T Choice<T>(YNode? node, string field, string what, T fallback, params (string Name, T Value)[] choices)
    {
        var text = Text(node, field);
        if (text is null || node is null)
        {
            return fallback;
        }

        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        Error(node, field, $"unknown {what} '{text}'; valid values: {string.Join(", ", choices.Select(c => c.Name))}");
        return fallback;
    }

    /// <summary>Every string of a list with its position and field path (<c>field[i]</c>).</summary>
    public List<Located> TextList(YNode? node, string field, string? hint = null)
    {
        var result = new List<Located>();
        var items = List(node, field, hint);
        for (var i = 0; i < items.Count; i++)
        {
            var itemField = $"{field}[{i}]";
            var text = Text(items[i], itemField);
            if (text is null && items[i] is YScalar { IsNull: true })
            {
                Error(items[i], itemField, "empty list item; remove it or give a value");
            }
            else if (text is not null)
            {
                result.Add(new Located(text, items[i], itemField));
            }
        }

        return result;
    }

    /// <summary>The value under <paramref name="key"/>, or null when the key is absent.</summary>
    public static YNode? Get(YMapping? map, string key) =>
        map is not null && map.ByKey.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>Reports every key of <paramref name="map"/> not in <paramref name="valid"/>.</summary>
    public void OnlyKeys(YMapping map, string field, params string[] valid)
    {
        foreach (var (key, _) in map.Entries)
        {
            if (Array.IndexOf(valid, key.Value) >= 0)
            {
                continue;
            }

            var near = valid.FirstOrDefault(v => Distance(v, key.Value) <= 2);
            var suggestion = near is null ? string.Empty : $"did you mean '{near}'? ";
            Error(key, Join(field, key.Value), $"unknown key '{key.Value}'; {suggestion}valid keys: {string.Join(", ", valid)}");
        }
    }

    /// <summary>Reports a missing required key at the map (or at 1:1 when the whole map is missing).</summary>
    public void Missing(YNode? map, string field, string what)
    {
        if (map is null)
        {
            Error(1, 1, field, $"'{field}' is required: {what}");
        }
        else
        {
            Error(map, field, $"'{Last(field)}' is required: {what}");
        }
    }

    public static string Join(string field, string key) => field.Length == 0 ? key : $"{field}.{key}";

    private static string Last(string field) => field[(field.LastIndexOf('.') + 1)..];

    private T? WrongType<T>(YNode node, string field, string expected, string? hint = null)
        where T : YNode
    {
        var advice = hint is null ? string.Empty : $"; {hint}";
        Error(node, field, $"expected {expected}, found {node.Describe}{advice}");
        return null;
    }

    // Levenshtein distance, small strings only: enough to suggest 'endpoints' for 'endpoint'.
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
