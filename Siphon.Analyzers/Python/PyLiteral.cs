// One spelling for each default value, so that the mock's `'GET'` and the runtime's "GET", or
// `0x10` and 16, compare equal: None/True/False as is, ints in decimal, floats in Python's
// shortest round-trip form, str and bytes literals decoded and re-quoted by PyLiterals (the
// spelling the generator writes defaults in).
// Anything else (an expression) keeps its source text with whitespace collapsed.
using System;
using Siphon.Bindings.Generator;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Siphon.Analyzers.Python
{
    internal static class PyLiteral
    {
        /// <summary>Stands for "has a default whose value the C# side cannot state"; matches any default.</summary>
        public const string Unknown = PyLiterals.Unknown;

        private static readonly Regex s_int = new Regex(
            @"^(?<sign>[-+]?)\s*(?:0[xX](?<hex>[0-9a-fA-F_]+)|0[oO](?<oct>[0-7_]+)|0[bB](?<bin>[01_]+)|(?<dec>[0-9][0-9_]*))$",
            RegexOptions.CultureInvariant);

        private static readonly Regex s_float = new Regex(
            @"^[-+]?\s*(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*|[0-9][0-9_]*(?=[eE]))(?:[eE][-+]?[0-9_]+)?$",
            RegexOptions.CultureInvariant);

        private static readonly Regex s_string = new Regex(
            @"^(?<prefix>[rRbBuU]{0,2})(?<quote>'''|""""""|'|"")(?<body>[\s\S]*)\k<quote>$",
            RegexOptions.CultureInvariant);

        private static readonly Regex s_space = new Regex(@"\s+", RegexOptions.CultureInvariant);

        /// <summary>The canonical spelling of a default written in Python source.</summary>
        public static string Normalize(string source)
        {
            var text = source.Trim();
            if (text.Length == 0) return text;
            if (text is "None" or "True" or "False" or Unknown or "Ellipsis") return text == "Ellipsis" ? Unknown : text;

            var m = s_int.Match(text);
            if (m.Success && TryInteger(m, out var integer)) return integer;

            if (s_float.IsMatch(text)
                && double.TryParse(text.Replace("_", "").Replace(" ", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                return PyLiterals.Float(d);

            m = s_string.Match(text);
            if (m.Success && TryString(m, out var str)) return str;

            return s_space.Replace(text, " ");
        }

        private static bool TryInteger(Match m, out string result)
        {
            result = "";
            int radix;
            string digits;
            if (m.Groups["hex"].Success) { radix = 16; digits = m.Groups["hex"].Value; }
            else if (m.Groups["oct"].Success) { radix = 8; digits = m.Groups["oct"].Value; }
            else if (m.Groups["bin"].Success) { radix = 2; digits = m.Groups["bin"].Value; }
            else { radix = 10; digits = m.Groups["dec"].Value; }
            digits = digits.Replace("_", "");
            if (digits.Length == 0) return false;
            if (radix == 10 && digits.Length > 1 && digits[0] == '0' && digits.TrimStart('0').Length > 0) return false; // 012 is a syntax error
            var value = System.Numerics.BigInteger.Zero;
            foreach (var c in digits)
            {
                var v = c <= '9' ? c - '0' : (char.ToLowerInvariant(c) - 'a' + 10);
                value = value * radix + v;
            }
            if (m.Groups["sign"].Value == "-") value = -value;
            result = value.ToString(CultureInfo.InvariantCulture);
            return true;
        }

        private static bool TryString(Match m, out string result)
        {
            result = "";
            var prefix = m.Groups["prefix"].Value.ToLowerInvariant();
            if (prefix.Length == 2 && !(prefix.Contains("r") && (prefix.Contains("b") || prefix.Contains("u")))) return false;
            if (prefix == "ub" || prefix == "bu" || prefix == "ur" || prefix == "ru") return false;
            var raw = prefix.Contains("r");
            var bytes = prefix.Contains("b");
            var quote = m.Groups["quote"].Value;
            var body = m.Groups["body"].Value;
            // An implicit concatenation ('a' 'b') or a body that ends the literal early is not one literal.
            if (!raw && EndsEarly(body, quote)) return false;
            if (raw && body.Contains(quote)) return false;
            result = PyLiterals.Str(raw ? body : Unescape(body), bytes);
            return true;
        }

        private static bool EndsEarly(string body, string quote)
        {
            for (var i = 0; i < body.Length; i++)
            {
                if (body[i] == '\\') { i++; continue; }
                if (string.CompareOrdinal(body, i, quote, 0, quote.Length) == 0) return true;
            }
            return false;
        }

        private static string Unescape(string body)
        {
            var sb = new StringBuilder(body.Length);
            for (var i = 0; i < body.Length; i++)
            {
                var c = body[i];
                if (c != '\\' || i + 1 >= body.Length)
                {
                    sb.Append(c);
                    continue;
                }
                var n = body[++i];
                switch (n)
                {
                    case '\n': break; // line continuation inside the literal
                    case '\\': sb.Append('\\'); break;
                    case '\'': sb.Append('\''); break;
                    case '"': sb.Append('"'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case '0': sb.Append('\0'); break;
                    case 'a': sb.Append('\a'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'v': sb.Append('\v'); break;
                    case 'x' when i + 2 < body.Length && TryHex(body, i + 1, 2, out var x):
                        sb.Append((char)x);
                        i += 2;
                        break;
                    case 'u' when i + 4 < body.Length && TryHex(body, i + 1, 4, out var u):
                        sb.Append((char)u);
                        i += 4;
                        break;
                    case 'U' when i + 8 < body.Length && TryHex(body, i + 1, 8, out var cp) && cp <= 0x10FFFF:
                        sb.Append(char.ConvertFromUtf32(cp));
                        i += 8;
                        break;
                    default:
                        sb.Append('\\').Append(n); // unknown escapes stay, as in Python
                        break;
                }
            }
            return sb.ToString();
        }

        private static bool TryHex(string s, int start, int count, out int value) =>
            int.TryParse(s.Substring(start, count), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
