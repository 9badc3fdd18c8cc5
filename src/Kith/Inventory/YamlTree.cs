using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kith.Inventory;

/// <summary>A YAML node with the place it starts in the file (1-based line and column).</summary>
internal abstract record YNode(int Line, int Column)
{
    /// <summary>The kind of node as a user reads it in an error message.</summary>
    public abstract string Describe { get; }
}

internal sealed record YScalar(string Value, bool IsPlain, int Line, int Column) : YNode(Line, Column)
{
    /// <summary>YAML core schema null: an empty or <c>~</c>/<c>null</c> plain scalar.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe => IsNull ? "nothing (null)" : $"'{Value}'";
}

internal sealed record YSequence(List<YNode> Items, int Line, int Column) : YNode(Line, Column)
{
    public override string Describe => "a list";
}

internal sealed record YMapping(List<KeyValuePair<YScalar, YNode>> Entries, int Line, int Column) : YNode(Line, Column)
{
    /// <summary>The entries by key, kept in step with <see cref="Entries"/> by the reader.</summary>
    public Dictionary<string, KeyValuePair<YScalar, YNode>> ByKey { get; } = new(StringComparer.Ordinal);

    public override string Describe => "a map";
}

/// <summary>
/// Reads YAML text into <see cref="YNode"/>s from YamlDotNet's parser events, so every node keeps
/// its position and problems YamlDotNet's own model would throw on (duplicate keys, unknown
/// aliases) become located errors. Iterative, so deeply nested input cannot overflow the stack;
/// an alias shares its anchor's node instead of copying it, so alias bombs cost nothing.
/// </summary>
internal static class YamlTree
{
    /// <summary>Far more than the schema uses (4), low enough that YamlDotNet's cost per level stays small.</summary>
    private const int MaxDepth = 64;

    /// <summary>Returns the single document's root, or null when the text holds no document.</summary>
    public static YNode? Read(string text, Action<int, int, string, string> error)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var open = new Stack<(YNode Node, YScalar? PendingKey)>();
        var openAnchors = new Stack<AnchorName>();
        YNode? root = null;
        var documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                if (e is DocumentStart)
                {
                    if (++documents == 2)
                    {
                        error(Line(e.Start), Column(e.Start), "(document)", "a second YAML document ('---') is not allowed; kith.yaml holds one");
                    }

                    continue;
                }

                YNode? done = null;
                switch (e)
                {
                    case Scalar s:
                        done = Remember(anchors, s.Anchor, new YScalar(s.Value, s.Style == ScalarStyle.Plain, Line(s.Start), Column(s.Start)));
                        break;
                    case SequenceStart s:
                        open.Push((new YSequence([], Line(s.Start), Column(s.Start)), null));
                        openAnchors.Push(s.Anchor);
                        break;
                    case MappingStart s:
                        open.Push((new YMapping([], Line(s.Start), Column(s.Start)), null));
                        openAnchors.Push(s.Anchor);
                        break;
                    case SequenceEnd or MappingEnd:
                        // Anchors are registered once complete, so an alias can never make a cycle.
                        done = Remember(anchors, openAnchors.Pop(), open.Pop().Node);
                        break;
                    case AnchorAlias a when anchors.TryGetValue(a.Value.Value, out var target):
                        done = target;
                        break;
                    case AnchorAlias a:
                        error(Line(a.Start), Column(a.Start), PathOf(open, null, null), $"alias '*{a.Value.Value}' refers to no anchor defined before it");
                        done = new YScalar(string.Empty, true, Line(a.Start), Column(a.Start));
                        break;
                }

                if (open.Count > MaxDepth)
                {
                    error(Line(e.Start), Column(e.Start), PathOf(open, null, null), $"nesting deeper than {MaxDepth} levels; kith.yaml needs at most 4");
                    return null;
                }

                if (done is null)
                {
                    continue;
                }

                if (open.Count == 0)
                {
                    root ??= done;
                    continue;
                }

                Attach(open, done, error);
            }
        }
        catch (YamlException e)
        {
            error(Line(e.Start), Column(e.Start), "(syntax)", "YAML syntax error: " + Reason(e));
            return null;
        }

        return root;
    }

    private static void Attach(Stack<(YNode Node, YScalar? PendingKey)> open, YNode done, Action<int, int, string, string> error)
    {
        var (parent, key) = open.Pop();
        if (parent is YSequence sequence)
        {
            sequence.Items.Add(done);
            open.Push((parent, null));
            return;
        }

        var mapping = (YMapping)parent;
        if (key is null)
        {
            if (done is not YScalar scalar)
            {
                error(done.Line, done.Column, PathOf(open, parent, null), $"a key must be a plain name, not {done.Describe}");
                scalar = new YScalar("?", true, done.Line, done.Column);
            }

            open.Push((parent, scalar));
            return;
        }

        if (!mapping.ByKey.TryGetValue(key.Value, out var existing))
        {
            mapping.Entries.Add(new(key, done));
            mapping.ByKey.Add(key.Value, new(key, done));
        }
        else
        {
            var first = existing.Key;
            error(key.Line, key.Column, PathOf(open, parent, key.Value), $"duplicate key '{key.Value}' (first at line {first.Line}, column {first.Column}); keep one");
        }

        open.Push((parent, null));
    }

    // The dotted field path of the place being read: the open collections' keys and indexes, then the key.
    private static string PathOf(Stack<(YNode Node, YScalar? PendingKey)> open, YNode? popped, string? key)
    {
        var parts = new List<string>();
        var chain = open.Reverse().ToList();
        if (popped is not null)
        {
            chain.Add((popped, null));
        }

        foreach (var (node, pendingKey) in chain)
        {
            if (node is YSequence sequence)
            {
                parts.Add($"[{sequence.Items.Count}]");
            }
            else if (pendingKey is not null)
            {
                parts.Add(pendingKey.Value);
            }
        }

        if (key is not null)
        {
            parts.Add(key);
        }

        return string.Join('.', parts).Replace(".[", "[", StringComparison.Ordinal);
    }

    private static YNode Remember(Dictionary<string, YNode> anchors, AnchorName anchor, YNode node)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }

        return node;
    }

    // YamlDotNet puts the location in front of the message: "(Line: 3, Col: 5, Idx: 20) - (…): reason".
    private static string Reason(YamlException e)
    {
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message;
    }

    private static int Line(Mark mark) => (int)Math.Max(1, mark.Line);

    private static int Column(Mark mark) => (int)Math.Max(1, mark.Column);
}
