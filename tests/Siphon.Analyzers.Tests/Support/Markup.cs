using Microsoft.CodeAnalysis.Text;

namespace Siphon.Analyzers.Tests.Support;

/// <summary><c>[|span|]</c> markup: the spans where diagnostics are expected, in source order.</summary>
internal static class Markup
{
    public static (string Source, List<TextSpan> Spans) Parse(string markup)
    {
        var sb = new System.Text.StringBuilder(markup.Length);
        var spans = new List<TextSpan>();
        var open = new Stack<int>();
        for (var i = 0; i < markup.Length; i++)
        {
            if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0)
            {
                open.Push(sb.Length);
                i++;
            }
            else if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0)
            {
                var start = open.Pop();
                spans.Add(TextSpan.FromBounds(start, sb.Length));
                i++;
            }
            else
            {
                sb.Append(markup[i]);
            }
        }
        if (open.Count != 0) throw new ArgumentException("unclosed [| in markup");
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        return (sb.ToString(), spans);
    }
}
