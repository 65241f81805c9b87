// One spelling of Python literals for everything that writes them: the generator's stubs and
// default values, and the analyzer's normalised form of the mock's defaults. Strings are quoted
// with double quotes and kept ASCII (non-ASCII as \uXXXX, or \UXXXXXXXX for a surrogate pair);
// floats in Python's shortest round-trip repr.
using System.Globalization;
using System.Text;

namespace Siphon.Bindings.Generator
{
    internal static class PyLiterals
    {
        /// <summary>Stands for "a default whose value C# cannot state"; in the analyzer it matches any default.</summary>
        public const string Unknown = "...";

        /// <summary>A str literal in double quotes (a bytes literal with <paramref name="bytes"/>).</summary>
        public static string Str(string value, bool bytes = false)
        {
            var sb = new StringBuilder(value.Length + 3);
            if (bytes) sb.Append('b');
            sb.Append('"');
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                switch (c)
                {
                    case '\\': sb.Append("\\\\"); break;
                    case '"': sb.Append("\\\""); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                        else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                            sb.Append("\\U").Append(char.ConvertToUtf32(c, value[++i]).ToString("x8", CultureInfo.InvariantCulture));
                        else if (c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"').ToString();
        }

        /// <summary>Python's repr of a float: shortest round-trip digits, always with a '.' or an exponent;
        /// NaN and infinities, which have no literal, are <see cref="Unknown"/>.</summary>
        public static string Float(double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d)) return Unknown;
            var text = d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
            return text.IndexOf('.') < 0 && text.IndexOf('e') < 0 ? text + ".0" : text;
        }
    }
}
