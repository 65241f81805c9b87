// Merges the Prometheus text scrapes of the worker processes into one exposition, each sample
// labelled with its worker number (worker="N": added, or replacing the worker process's own
// worker="0"). Per-worker series rather than summed ones: a worker that restarts starts its
// counters from zero, which rate() handles per series but would misread in a pre-summed series;
// an unbalanced or stuck worker stays visible; and summing is one `sum by (...)` in PromQL.
// The text format wants each metric family once, so samples are grouped under their family's
// HELP/TYPE lines (first seen wins).
using System.Text;

namespace Siphon.Runtime.Hosting.Admin;

internal static class PrometheusMerge
{
    /// <param name="scrapes">worker number → its scrape (text format 0.0.4).</param>
    public static string Merge(IEnumerable<(int Worker, string Text)> scrapes)
    {
        var families = new Dictionary<string, (List<string> Header, List<string> Samples)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (worker, text) in scrapes)
        {
            string? family = null;
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                if (line.Length == 0 || line == "# EOF") continue;
                if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var name = line[7..].Split(' ', 2)[0];
                    family = name;
                    if (!families.TryGetValue(name, out var f))
                    {
                        families[name] = f = ([], []);
                        order.Add(name);
                    }
                    if (!f.Header.Contains(line)) f.Header.Add(line);
                    continue;
                }
                if (line[0] == '#') continue;
                var sampleName = SampleName(line);
                var key = family is not null && sampleName.StartsWith(family, StringComparison.Ordinal) ? family : sampleName;
                if (!families.TryGetValue(key, out var fam))
                {
                    families[key] = fam = ([], []);
                    order.Add(key);
                }
                fam.Samples.Add(Label(line, sampleName, worker));
            }
        }
        var sb = new StringBuilder();
        foreach (var name in order)
        {
            var (header, samples) = families[name];
            foreach (var h in header) sb.Append(h).Append('\n');
            foreach (var s in samples) sb.Append(s).Append('\n');
        }
        return sb.ToString();
    }

    private static string SampleName(string line)
    {
        var end = line.IndexOfAny(['{', ' ']);
        return end < 0 ? line : line[..end];
    }

    // name{a="1",worker="0"} 3 → name{worker="N",a="1"} 3; name 3 → name{worker="N"} 3.
    internal static string Label(string line, string name, int worker)
    {
        var label = $"worker=\"{worker}\"";
        if (line.Length > name.Length && line[name.Length] == '{')
        {
            var close = ClosingBrace(line, name.Length);
            var labels = line[(name.Length + 1)..close];
            var kept = SplitLabels(labels).Where(l => !l.StartsWith("worker=", StringComparison.Ordinal));
            var all = string.Join(",", new[] { label }.Concat(kept));
            return $"{name}{{{all}}}{line[(close + 1)..]}";
        }
        return $"{name}{{{label}}}{line[name.Length..]}";
    }

    private static int ClosingBrace(string line, int open)
    {
        var quoted = false;
        for (var i = open + 1; i < line.Length; i++)
        {
            if (line[i] == '\\') { i++; continue; }
            if (line[i] == '"') quoted = !quoted;
            else if (line[i] == '}' && !quoted) return i;
        }
        throw new FormatException($"unterminated label set: {line}");
    }

    private static IEnumerable<string> SplitLabels(string labels)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == '\\') { i++; continue; }
            if (labels[i] == '"') quoted = !quoted;
            else if (labels[i] == ',' && !quoted)
            {
                if (i > start) yield return labels[start..i];
                start = i + 1;
            }
        }
        if (labels.Length > start) yield return labels[start..];
    }
}
