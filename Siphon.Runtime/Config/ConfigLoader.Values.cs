// The strict value rules every section reader of ConfigLoader shares: known keys only (with a
// "did you mean" suggestion), typed Optional*/Required* readers with ranges, ${VAR} expansion before
// conversion, relative paths against the file's directory, and errors naming file:line and key.
using System.Collections.ObjectModel;
using System.Globalization;

namespace Siphon.Runtime.Config;

public static partial class ConfigLoader
{
    private sealed partial class Reader
    {

        private Fields CheckKeys(YMapping map, string? path, string[] allowed)
        {
            foreach (var (key, _) in map.Entries)
            {
                if (Array.IndexOf(allowed, key.Value) < 0)
                {
                    var suggestion = Suggest(key.Value, allowed);
                    var hint = suggestion is null ? "" : $"; did you mean '{suggestion}'?";
                    throw Error(key, KeyPath.Child(path, key.Value), $"unknown key (expected one of: {string.Join(", ", allowed)}){hint}");
                }
            }

            return new Fields(map, path);
        }

        private string? OptionalString(Fields m, string key)
            => m.TryGet(key, out var node, out var path) ? ScalarText(node, path) : null;

        private string RequiredString(Fields m, string key, out YNode node, out string path)
        {
            if (!m.TryGet(key, out var found, out path))
            {
                throw Error(m.Map, path, $"required key is missing");
            }

            node = found;
            return ScalarText(node, path) ?? throw Error(node, path, "must not be empty");
        }

        /// <summary>An optional sequence of scalars, each converted by <paramref name="parse"/> (whose
        /// FormatException becomes an error at that item); empty when the key is absent or null.</summary>
        private IReadOnlyList<T> OptionalList<T>(Fields m, string key, string expected, string expectedItem, Func<string, T> parse)
        {
            if (!m.TryGet(key, out var node, out var path) || IsNull(node))
            {
                return [];
            }

            if (node is not YSequence seq)
            {
                throw Error(node, path, $"expected a sequence of {expected}, got {node.KindName}");
            }

            var items = new List<T>();
            for (var i = 0; i < seq.Items.Count; i++)
            {
                var itemPath = KeyPath.Index(path, i);
                var item = seq.Items[i];
                var text = ScalarText(item, itemPath) ?? throw Error(item, itemPath, $"expected {expectedItem}, got null");
                try
                {
                    items.Add(parse(text));
                }
                catch (FormatException e)
                {
                    throw Error(item, itemPath, e.Message, e);
                }
            }

            return items.AsReadOnly();
        }

        private long? OptionalInteger(Fields m, string key, long min, long max)
        {
            if (!m.TryGet(key, out var node, out var path))
            {
                return null;
            }

            var text = ScalarText(node, path);
            if (text is null)
            {
                return null;
            }

            if (!IsDecimal(text) || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                var overflow = IsDecimal(text);
                throw Error(node, path, overflow
                    ? $"integer {Quote(node, text)} is out of range"
                    : $"expected an integer, got {Quote(node, text)}");
            }

            if (value < min)
            {
                throw Error(node, path, min switch
                {
                    0 => $"must not be negative, got {value}",
                    1 => $"must be greater than 0, got {value}",
                    _ => $"must be at least {min}, got {value}",
                });
            }

            if (value > max)
            {
                throw Error(node, path, $"must be at most {max}, got {value}");
            }

            return value;
        }

        private bool? OptionalBool(Fields m, string key)
        {
            if (!m.TryGet(key, out var node, out var path))
            {
                return null;
            }

            return ScalarText(node, path) switch
            {
                null => null,
                "true" => true,
                "false" => false,
                var other => throw Error(node, path, $"expected a boolean (true or false), got {Quote(node, other)}"),
            };
        }

        /// <summary>The env-expanded text of a scalar; null when null or empty; an error for mappings/sequences.</summary>
        private string? ScalarText(YNode node, string path)
        {
            if (node is not YScalar scalar)
            {
                throw Error(node, path, $"expected a single value, got {node.KindName}");
            }

            if (scalar.IsNull)
            {
                return null;
            }

            if (!EnvExpander.TryExpand(scalar.Value, env, out var expanded, out var error))
            {
                throw Error(node, path, error);
            }

            return expanded.Length == 0 ? null : expanded;
        }

        private static string Quote(YNode node, string expanded)
            => node is YScalar s && s.Value != expanded ? $"'{expanded}' (from '{s.Value}')" : $"'{expanded}'";

        private static bool IsDecimal(string text)
        {
            var digits = text.AsSpan(text.Length > 0 && text[0] is '+' or '-' ? 1 : 0);
            return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
        }

        private static bool IsNull(YNode node) => node is YScalar { IsNull: true };

        private string ResolvePath(string path) => Path.GetFullPath(path, baseDir);

        private string? ResolvePathOrNull(string? path) => path is null ? null : ResolvePath(path);

        private string? ResolvePython(string? python)
            => python is not null && (python.Contains('/') || python.Contains(Path.DirectorySeparatorChar))
                ? ResolvePath(python)
                : python;

        private ConfigException Error(YNode node, string? key, string reason, Exception? inner = null)
            => new(file, node.Line, key, reason, inner);

        private static string? Suggest(string key, string[] allowed)
        {
            static string Squash(string s) => s.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

            var squashed = Squash(key);
            string? best = null;
            var bestDistance = int.MaxValue;
            foreach (var candidate in allowed)
            {
                var c = Squash(candidate);
                var distance = c == squashed ? 0
                    : squashed.Length >= 4 && (c.StartsWith(squashed, StringComparison.Ordinal) || squashed.StartsWith(c, StringComparison.Ordinal)) ? 1
                    : Levenshtein(key.ToLowerInvariant(), candidate);
                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }

            return bestDistance <= Math.Max(2, key.Length / 4) ? best : null;
        }

        private static int Levenshtein(string a, string b)
        {
            var prev = new int[b.Length + 1];
            var cur = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                prev[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                cur[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }

                (prev, cur) = (cur, prev);
            }

            return prev[b.Length];
        }
    }

    /// <summary>A validated mapping: its keys are known to be allowed.</summary>
    private sealed class Fields(YMapping map, string? path)
    {
        public YMapping Map { get; } = map;

        public bool TryGet(string key, out YNode node, out string keyPath)
        {
            keyPath = KeyPath.Child(path, key);
            foreach (var (k, v) in Map.Entries)
            {
                if (k.Value == key)
                {
                    node = v;
                    return true;
                }
            }

            node = Map;
            return false;
        }
    }
}
