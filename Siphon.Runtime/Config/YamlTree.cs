using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Siphon.Runtime.Config;

/// <summary>A minimal YAML node tree with 1-based line numbers, built from YamlDotNet parser events.</summary>
internal abstract class YNode(int line)
{
    public int Line { get; } = line;

    public abstract string KindName { get; }
}

internal sealed class YScalar(int line, string value, ScalarStyle style, bool hasTag) : YNode(line)
{
    public string Value { get; } = value;

    public ScalarStyle Style { get; } = style;

    /// <summary>A plain, untagged <c>~</c>, <c>null</c> or nothing at all.</summary>
    public bool IsNull => Style == ScalarStyle.Plain && !hasTag && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "null" : "a string";
}

internal sealed class YSequence(int line, IReadOnlyList<YNode> items) : YNode(line)
{
    public IReadOnlyList<YNode> Items { get; } = items;

    public override string KindName => "a sequence";
}

internal sealed class YMapping(int line, IReadOnlyList<KeyValuePair<YScalar, YNode>> entries) : YNode(line)
{
    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; } = entries;

    public override string KindName => "a mapping";
}

/// <summary>
/// Reads one YAML document into <see cref="YNode"/>s. Rejects duplicate keys, non-scalar keys, unknown aliases
/// and more than one document; turns YamlDotNet syntax errors into <see cref="ConfigException"/>s naming the line
/// and the key being read.
/// </summary>
internal sealed class YamlTreeReader
{
    private readonly IParser _parser;
    private readonly string _file;
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
    private string? _path;
    private bool _advance;

    private YamlTreeReader(string text, string file)
    {
        _parser = new Parser(new StringReader(text));
        _file = file;
    }

    /// <summary>The document's root node, or null for an empty stream / empty document.</summary>
    public static YNode? Read(string text, string file)
    {
        var reader = new YamlTreeReader(text, file);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException e)
        {
            var line = e.Start.Line > 0 ? (int?)checked((int)e.Start.Line) : null;
            var reason = $"YAML syntax error: {e.Message}";
            if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndentedLine(text, line ?? 1) is { } tabLine)
            {
                // YamlDotNet may report a tab in indentation at the enclosing mapping's line; point at the tab instead.
                line = tabLine;
                reason = $"YAML syntax error: a tab in indentation (YAML indents with spaces only) ({e.Message})";
            }

            throw new ConfigException(file, line, reader._path, reason, e);
        }
    }

    private static int? FirstTabIndentedLine(string text, int fromLine)
    {
        var lines = text.Split('\n');
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            foreach (var c in lines[i])
            {
                if (c == '\t')
                {
                    return i + 1;
                }

                if (c != ' ' && c != '-')
                {
                    break;
                }
            }
        }

        return null;
    }

    private YNode? ReadStream()
    {
        Expect<StreamStart>();
        if (Peek() is StreamEnd)
        {
            return null;
        }

        Expect<DocumentStart>();
        var root = ReadNode(null);
        _path = null;
        Expect<DocumentEnd>();
        if (Peek() is DocumentStart second)
        {
            throw new ConfigException(_file, LineOf(second), null, "only one YAML document is allowed (found a second '---')");
        }

        Expect<StreamEnd>();
        return root is YScalar { IsNull: true } ? null : root;
    }

    // The parser is advanced lazily (Consume marks, Peek moves), so a syntax error found while scanning ahead
    // is reported with the path of the node being looked for, not the one just read.
    private YNode ReadNode(string? path)
    {
        _path = path;
        var ev = Peek();
        switch (ev)
        {
            case AnchorAlias alias:
                Consume();
                return _anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new ConfigException(_file, LineOf(alias), path, $"unknown alias '*{alias.Value.Value}'");

            case Scalar scalar:
                Consume();
                return Anchor(scalar, new YScalar(LineOf(scalar), scalar.Value, scalar.Style, !scalar.Tag.IsEmpty));

            case SequenceStart start:
            {
                Consume();
                var items = new List<YNode>();
                while (true)
                {
                    _path = path;
                    if (Peek() is SequenceEnd)
                    {
                        Consume();
                        break;
                    }

                    items.Add(ReadNode(KeyPath.Index(path, items.Count)));
                }

                _path = path;
                return Anchor(start, new YSequence(LineOf(start), items));
            }

            case MappingStart start:
            {
                Consume();
                var entries = new List<KeyValuePair<YScalar, YNode>>();
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                while (true)
                {
                    _path = path;
                    var keyEvent = Peek();
                    if (keyEvent is MappingEnd)
                    {
                        Consume();
                        break;
                    }

                    if (keyEvent is not Scalar keyScalar)
                    {
                        var kind = keyEvent switch
                        {
                            SequenceStart => "a sequence",
                            MappingStart => "a mapping",
                            AnchorAlias => "an alias",
                            _ => keyEvent.GetType().Name,
                        };
                        throw new ConfigException(_file, LineOf(keyEvent), path, $"a key must be a plain string, not {kind}");
                    }

                    var key = new YScalar(LineOf(keyScalar), keyScalar.Value, keyScalar.Style, !keyScalar.Tag.IsEmpty);
                    var keyPath = KeyPath.Child(path, key.Value);
                    if (key.Value == "<<" && key.Style == ScalarStyle.Plain)
                    {
                        throw new ConfigException(_file, key.Line, keyPath, "merge keys (<<) are not supported; write the keys out");
                    }

                    if (seen.TryGetValue(key.Value, out var firstLine))
                    {
                        throw new ConfigException(_file, key.Line, keyPath, $"duplicate key (first set on line {firstLine})");
                    }

                    seen.Add(key.Value, key.Line);
                    Consume();
                    entries.Add(new(key, ReadNode(keyPath)));
                }

                _path = path;
                return Anchor(start, new YMapping(LineOf(start), entries));
            }

            default:
                throw new ConfigException(_file, LineOf(ev), path, $"unexpected YAML event {ev.GetType().Name}");
        }
    }

    private YNode Anchor(NodeEvent ev, YNode node)
    {
        if (!ev.Anchor.IsEmpty)
        {
            _anchors[ev.Anchor.Value] = node;
        }

        return node;
    }

    private ParsingEvent Peek()
    {
        if (_advance || _parser.Current is null)
        {
            _advance = false;
            if (!_parser.MoveNext())
            {
                throw new ConfigException(_file, null, _path, "unexpected end of YAML");
            }
        }

        return _parser.Current!;
    }

    private void Consume() => _advance = true;

    private void Expect<T>() where T : ParsingEvent
    {
        var ev = Peek();
        if (ev is not T)
        {
            throw new ConfigException(_file, LineOf(ev), _path, $"unexpected YAML event {ev.GetType().Name} (expected {typeof(T).Name})");
        }

        Consume();
    }

    private static int LineOf(ParsingEvent ev) => checked((int)ev.Start.Line);
}

/// <summary>Builds dotted key paths: <c>servers[0].listen</c>, <c>clients.api.base_url</c>, <c>clients["my api"]</c>.</summary>
internal static class KeyPath
{
    public static string Child(string? parent, string key)
    {
        var simple = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        if (simple)
        {
            return string.IsNullOrEmpty(parent) ? key : $"{parent}.{key}";
        }

        var quoted = $"[\"{key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"]";
        return (parent ?? "") + quoted;
    }

    public static string Index(string? parent, int index) => $"{parent}[{index}]";
}
