using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Siphon.Runtime.Config;

/// <summary>
/// <c>${VAR}</c> / <c>${VAR:-default}</c> expansion for config strings.
/// <list type="bullet">
/// <item><c>${VAR}</c>: the variable's value (an empty value is used as is); unset is an error.</item>
/// <item><c>${VAR:-default}</c>: the value, or <c>default</c> when unset or empty (as in sh). The default is literal text up to the first <c>}</c>; it is not expanded again.</item>
/// <item><c>$$</c>: a literal <c>$</c> (so <c>$${X}</c> gives <c>${X}</c>).</item>
/// <item>Any other <c>$</c> is literal (<c>$HOME</c> is not expanded; only the braced form is).</item>
/// </list>
/// Names are <c>[A-Za-z_][A-Za-z0-9_]*</c>. Expanded values are not expanded again.
/// </summary>
internal static class EnvExpander
{
    public static bool TryExpand(string text, Func<string, string?> env, [NotNullWhen(true)] out string? result, out string error)
    {
        result = null;
        error = "";
        if (!text.Contains('$'))
        {
            result = text;
            return true;
        }

        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '$' || i + 1 >= text.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }

            var next = text[i + 1];
            if (next == '$')
            {
                sb.Append('$');
                i += 2;
                continue;
            }

            if (next != '{')
            {
                sb.Append(c);
                i++;
                continue;
            }

            var close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                error = $"unterminated '${{' in '{text}' (write $$ for a literal $)";
                return false;
            }

            var body = text[(i + 2)..close];
            var sep = body.IndexOf(":-", StringComparison.Ordinal);
            var name = sep < 0 ? body : body[..sep];
            if (!IsValidName(name))
            {
                error = $"bad variable reference '${{{body}}}' (expected ${{NAME}} or ${{NAME:-default}}, NAME of letters, digits and _)";
                return false;
            }

            var value = env(name);
            if (sep >= 0)
            {
                sb.Append(string.IsNullOrEmpty(value) ? body[(sep + 2)..] : value);
            }
            else if (value is null)
            {
                error = $"environment variable {name} is not set (write ${{{name}:-default}} to give a default)";
                return false;
            }
            else
            {
                sb.Append(value);
            }

            i = close + 1;
        }

        result = sb.ToString();
        return true;
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var ch in name)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
