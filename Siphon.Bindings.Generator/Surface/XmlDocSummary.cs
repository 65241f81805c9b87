// The docstring of a bound member: the text of its XML doc <summary>, as the stubs show it.
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace Siphon.Bindings.Generator
{
    internal static class XmlDocSummary
    {
        internal static string? Of(ISymbol symbol, CancellationToken cancellationToken) =>
            Text(symbol.GetDocumentationCommentXml(expandIncludes: false, cancellationToken: cancellationToken));

        /// <summary>The text of the XML doc &lt;summary&gt;, whitespace collapsed; references become
        /// their short names, <c>null</c>/<c>true</c>/<c>false</c> keywords their Python spellings.</summary>
        internal static string? Text(string? xml)
        {
            if (xml is null || xml.Length == 0) return null;
            XElement root;
            try
            {
                root = XElement.Parse(xml.Contains("<member") ? xml : "<member>" + xml + "</member>", LoadOptions.PreserveWhitespace);
            }
            catch (System.Xml.XmlException)
            {
                return null;
            }
            var summary = root.Element("summary");
            if (summary is null) return null;
            var sb = new StringBuilder();
            AppendText(summary, sb);
            var text = CollapseWhitespace(sb.ToString());
            return text.Length == 0 ? null : text;
        }

        private static void AppendText(XElement element, StringBuilder sb)
        {
            foreach (var node in element.Nodes())
            {
                switch (node)
                {
                    case XText text:
                        sb.Append(text.Value);
                        break;
                    case XElement e when e.Name.LocalName is "see" or "seealso":
                        if (e.Attribute("langword")?.Value is { } word) sb.Append(LangWord(word));
                        else if (!e.IsEmpty && e.Nodes().Any()) AppendText(e, sb);
                        else if (e.Attribute("cref")?.Value is { } cref) sb.Append(ShortCref(cref));
                        else if (e.Attribute("href")?.Value is { } href) sb.Append(href);
                        break;
                    case XElement e when e.Name.LocalName is "paramref" or "typeparamref":
                        var name = e.Attribute("name")?.Value ?? "";
                        sb.Append(e.Name.LocalName == "paramref" ? PyNames.ToSnakeCase(name) : name);
                        break;
                    case XElement e when e.Name.LocalName == "para":
                        sb.Append(' ');
                        AppendText(e, sb);
                        sb.Append(' ');
                        break;
                    case XElement e:
                        AppendText(e, sb);
                        break;
                }
            }
        }

        private static string LangWord(string word) => word switch
        {
            "null" => "None",
            "true" => "True",
            "false" => "False",
            _ => word,
        };

        private static string ShortCref(string cref)
        {
            var colon = cref.IndexOf(':');
            if (colon >= 0) cref = cref.Substring(colon + 1);
            var paren = cref.IndexOf('(');
            if (paren >= 0) cref = cref.Substring(0, paren);
            var tick = cref.IndexOf('`');
            if (tick >= 0) cref = cref.Substring(0, tick);
            var dot = cref.LastIndexOf('.');
            return dot >= 0 ? cref.Substring(dot + 1) : cref;
        }

        private static string CollapseWhitespace(string s)
        {
            var sb = new StringBuilder(s.Length);
            var space = false;
            foreach (var c in s)
            {
                if (char.IsWhiteSpace(c))
                {
                    space = sb.Length > 0;
                    continue;
                }
                if (space) sb.Append(' ');
                space = false;
                sb.Append(c);
            }
            return sb.ToString();
        }
    }
}
