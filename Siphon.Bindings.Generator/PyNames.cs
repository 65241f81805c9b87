// How a C# member name becomes a Python name. Compiled into both the generator (which emits the
// names) and the analyzer (which compares them with the SDK mock), so the two cannot disagree.
using System.Text;

namespace Siphon.Bindings
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
    }
}
