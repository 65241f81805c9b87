// How a C# member name becomes a Python name, and which names Python accepts. Compiled into both
// the generator (which emits the names) and the analyzer (which compares them with the SDK mock),
// so the two cannot disagree.
using System;
using System.Collections.Generic;
using System.Text;

namespace Siphon.Bindings.Generator
{
    internal static class PyNames
    {
        /// <summary>PascalCase / camelCase → snake_case: RaiseForStatus → raise_for_status,
        /// HTTPVersion → http_version, Http2PriorKnowledge → http2_prior_knowledge. Digits stay with
        /// what precedes them.</summary>
        public static string ToSnakeCase(string name)
        {
            var sb = new StringBuilder(name.Length + 4);
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                if (char.IsUpper(c))
                {
                    if (i > 0 && name[i - 1] != '_')
                    {
                        var prev = name[i - 1];
                        var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                        if (char.IsLower(prev) || char.IsDigit(prev) || (char.IsUpper(prev) && nextIsLower)) sb.Append('_');
                    }
                    sb.Append(char.ToLowerInvariant(c));
                }
                else
                {
                    sb.Append(c);
                }
            }
            return sb.ToString();
        }

        private static readonly HashSet<string> s_pythonKeywords = new(StringComparer.Ordinal)
        {
            "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
            "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
            "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
            "with", "yield",
        };

        /// <summary>An ASCII Python identifier that is not a keyword (ArgParser matches names as ASCII).</summary>
        public static bool IsPythonIdentifier(string name)
        {
            if (name.Length == 0 || s_pythonKeywords.Contains(name)) return false;
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                var ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
                if (!ok) return false;
            }
            return true;
        }
    }
}
