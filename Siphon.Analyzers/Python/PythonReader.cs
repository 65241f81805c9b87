// A small reader for the plain Python the SDK mock and the runtime's siphon/http.py are written
// in. No Python parser runs on netstandard2.0, and none is needed: the drift rules want only the
// top-level classes, the defs directly in their bodies and the top-level functions, each with its
// line, decorators and parameter list.
//
// It works in two passes. The first joins physical lines into logical lines the way Python's
// tokenizer does (open brackets and trailing backslashes continue a line; strings, including
// triple-quoted ones, are kept whole; comments are dropped) and records each logical line's first
// line number and indentation. The second walks those lines by indentation: column 0 holds
// classes, functions and decorators; a class body is the lines indented past it, and only defs at
// the body's own indentation are members, so defs nested in a method stay out.
using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace Siphon.Analyzers.Python
{
    internal static class PythonReader
    {
        private static readonly Regex s_class = new Regex(@"^class\s+(?<name>[^\W\d]\w*)\s*[(:]", RegexOptions.CultureInvariant);
        private static readonly Regex s_def = new Regex(@"^(?<async>async\s+)?def\s+(?<name>[^\W\d]\w*)\s*\(", RegexOptions.CultureInvariant);

        /// <summary>One logical line: its text (comments removed, continuation lines joined with a space),
        /// the 1-based line it starts on and its indentation in columns (tabs to multiples of 8).</summary>
        internal readonly struct LogicalLine
        {
            public LogicalLine(string text, int line, int indent)
            {
                Text = text;
                Line = line;
                Indent = indent;
            }

            public string Text { get; }
            public int Line { get; }
            public int Indent { get; }
        }

        public static PyModule Read(string source)
        {
            var classes = new List<PyClassDef>();
            var functions = new List<PyFunction>();

            var decorators = new List<string>();
            string? className = null;
            var classLine = 0;
            var classBodyIndent = -1;
            List<PyFunction>? members = null;

            void CloseClass()
            {
                if (className is not null) classes.Add(new PyClassDef(className, classLine, members!));
                className = null;
                members = null;
            }

            foreach (var line in SplitLogicalLines(source))
            {
                var text = line.Text;
                if (line.Indent == 0)
                {
                    CloseClass();
                    if (text.StartsWith("@", StringComparison.Ordinal))
                    {
                        decorators.Add(text.Substring(1).Trim());
                        continue;
                    }
                    var cm = s_class.Match(text);
                    if (cm.Success)
                    {
                        className = cm.Groups["name"].Value;
                        classLine = line.Line;
                        classBodyIndent = -1;
                        members = new List<PyFunction>();
                    }
                    else if (TryReadDef(text, line.Line, decorators, out var function))
                    {
                        functions.Add(function);
                    }
                    decorators = new List<string>();
                    continue;
                }

                if (className is null) continue; // inside a top-level def, if, try, ...: not surface
                if (classBodyIndent < 0) classBodyIndent = line.Indent;
                if (line.Indent != classBodyIndent) continue; // deeper: the body of a member
                if (text.StartsWith("@", StringComparison.Ordinal))
                {
                    decorators.Add(text.Substring(1).Trim());
                    continue;
                }
                if (TryReadDef(text, line.Line, decorators, out var member)) members!.Add(member);
                decorators = new List<string>();
            }
            CloseClass();
            return new PyModule(classes, functions);
        }

        private static bool TryReadDef(string text, int line, List<string> decorators, out PyFunction function)
        {
            function = null!;
            var m = s_def.Match(text);
            if (!m.Success) return false;
            var open = m.Index + m.Length - 1;
            var close = FindClosing(text, open);
            var inside = close < 0 ? text.Substring(open + 1) : text.Substring(open + 1, close - open - 1);
            function = new PyFunction(m.Groups["name"].Value, line, m.Groups["async"].Success, decorators, ReadParameters(inside));
            return true;
        }

        /// <summary>Parses the text between a def's parentheses.</summary>
        internal static IReadOnlyList<PyParameter> ReadParameters(string text)
        {
            var result = new List<PyParameter>();
            var keywordOnly = false;
            foreach (var raw in SplitTopLevel(text, ','))
            {
                var part = raw.Trim();
                if (part.Length == 0) continue;
                if (part == "/")
                {
                    // Everything so far was positional-only.
                    for (var i = 0; i < result.Count; i++)
                        if (result[i].Kind == PyParameterKind.PositionalOrKeyword)
                            result[i] = new PyParameter(result[i].Name, PyParameterKind.PositionalOnly, result[i].Default);
                    continue;
                }
                if (part == "*")
                {
                    keywordOnly = true;
                    continue;
                }

                var kind = keywordOnly ? PyParameterKind.KeywordOnly : PyParameterKind.PositionalOrKeyword;
                if (part.StartsWith("**", StringComparison.Ordinal))
                {
                    kind = PyParameterKind.VarKeyword;
                    part = part.Substring(2);
                }
                else if (part.StartsWith("*", StringComparison.Ordinal))
                {
                    kind = PyParameterKind.VarPositional;
                    keywordOnly = true;
                    part = part.Substring(1);
                }

                // name [: annotation] [= default]; the annotation is skipped.
                var colon = IndexOfTopLevel(part, ':', 0);
                var equals = IndexOfTopLevel(part, '=', 0);
                string name;
                string? value = null;
                if (equals >= 0 && (colon < 0 || equals < colon))
                {
                    name = part.Substring(0, equals);
                    value = part.Substring(equals + 1);
                }
                else if (colon >= 0)
                {
                    name = part.Substring(0, colon);
                    var eq = IndexOfTopLevel(part, '=', colon + 1);
                    if (eq >= 0) value = part.Substring(eq + 1);
                }
                else
                {
                    name = part;
                }
                result.Add(new PyParameter(name.Trim(), kind, value is null ? null : PyLiteral.Normalize(value)));
            }
            return result;
        }

        /// <summary>Splits on <paramref name="separator"/> outside brackets and strings.</summary>
        internal static List<string> SplitTopLevel(string text, char separator)
        {
            var parts = new List<string>();
            var start = 0;
            int i;
            while ((i = IndexOfTopLevel(text, separator, start)) >= 0)
            {
                parts.Add(text.Substring(start, i - start));
                start = i + 1;
            }
            parts.Add(text.Substring(start));
            return parts;
        }

        /// <summary>The index of <paramref name="c"/> outside brackets and strings, from <paramref name="start"/>;
        /// for '=' the comparison operators (==, !=, &lt;=, &gt;=) do not count.</summary>
        internal static int IndexOfTopLevel(string text, char c, int start)
        {
            var depth = 0;
            for (var i = start; i < text.Length; i++)
            {
                var ch = text[i];
                if (ch == '\'' || ch == '"')
                {
                    i = SkipString(text, i) - 1;
                    continue;
                }
                if (depth == 0 && ch == c)
                {
                    if (c != '=') return i;
                    var prev = i > 0 ? text[i - 1] : ' ';
                    var next = i + 1 < text.Length ? text[i + 1] : ' ';
                    if (next == '=') { i++; continue; }
                    if (prev is '=' or '!' or '<' or '>') continue;
                    return i;
                }
                if (ch is '(' or '[' or '{') depth++;
                else if (ch is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            }
            return -1;
        }

        /// <summary>The index of the bracket closing the one at <paramref name="open"/>, or -1.</summary>
        private static int FindClosing(string text, int open)
        {
            var depth = 0;
            for (var i = open; i < text.Length; i++)
            {
                var ch = text[i];
                if (ch == '\'' || ch == '"')
                {
                    i = SkipString(text, i) - 1;
                    continue;
                }
                if (ch is '(' or '[' or '{') depth++;
                else if (ch is ')' or ']' or '}' && --depth == 0) return i;
            }
            return -1;
        }

        /// <summary>The index just past the string literal whose opening quote is at <paramref name="i"/>.</summary>
        private static int SkipString(string text, int i)
        {
            var q = text[i];
            var triple = i + 2 < text.Length && text[i + 1] == q && text[i + 2] == q;
            var j = i + (triple ? 3 : 1);
            while (j < text.Length)
            {
                var ch = text[j];
                if (ch == '\\') { j += 2; continue; }
                if (ch == q && (!triple || (j + 2 < text.Length && text[j + 1] == q && text[j + 2] == q)))
                    return j + (triple ? 3 : 1);
                if (!triple && ch == '\n') return j;
                j++;
            }
            return text.Length;
        }

        /// <summary>Joins physical lines into logical ones, dropping comments and blank lines.</summary>
        internal static List<LogicalLine> SplitLogicalLines(string source)
        {
            var text = source.Replace("\r\n", "\n").Replace('\r', '\n');
            var lines = new List<LogicalLine>();
            var sb = new StringBuilder();
            var lineNo = 1;
            var i = 0;
            while (i < text.Length)
            {
                // Start of a physical line that may start a logical line: measure the indentation.
                var indent = 0;
                while (i < text.Length && (text[i] == ' ' || text[i] == '\t' || text[i] == '\f'))
                {
                    indent = text[i] == '\t' ? (indent / 8 + 1) * 8 : text[i] == ' ' ? indent + 1 : 0;
                    i++;
                }
                if (i >= text.Length) break;
                if (text[i] == '\n' || text[i] == '#')
                {
                    while (i < text.Length && text[i] != '\n') i++; // blank or comment-only line
                    i++;
                    lineNo++;
                    continue;
                }

                var startLine = lineNo;
                var depth = 0;
                sb.Clear();
                while (i < text.Length)
                {
                    var ch = text[i];
                    if (ch == '#')
                    {
                        while (i < text.Length && text[i] != '\n') i++;
                        continue;
                    }
                    if (ch == '\'' || ch == '"')
                    {
                        var end = SkipString(text, i);
                        for (var k = i; k < end; k++)
                            if (text[k] == '\n') lineNo++;
                        sb.Append(text, i, end - i);
                        i = end;
                        continue;
                    }
                    if (ch == '\\' && i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        sb.Append(' ');
                        i += 2;
                        lineNo++;
                        continue;
                    }
                    if (ch == '\n')
                    {
                        i++;
                        lineNo++;
                        if (depth > 0)
                        {
                            sb.Append(' ');
                            continue;
                        }
                        break;
                    }
                    if (ch is '(' or '[' or '{') depth++;
                    else if (ch is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
                    sb.Append(ch);
                    i++;
                }
                var logical = sb.ToString().Trim();
                if (logical.Length > 0) lines.Add(new LogicalLine(logical, startLine, indent));
            }
            return lines;
        }
    }
}
