// The Set-Cookie line of resp.with_cookie() / without_cookie(), formatted by ASP.NET Core's
// SetCookieHeaderValue (attribute order: expires, max-age, domain, path, secure, samesite,
// httponly) after checks that name what is wrong: a cookie name must be an RFC 6265 token, a value
// cookie-octets (no space, '"', ',', ';' or '\'), path and domain free of ';' and control
// characters, and SameSite=None needs Secure (browsers drop it otherwise). The SDK formats the same
// line (siphon_sdk/_messages.py); the helpers parity table holds the two together.
using System.Globalization;
using Microsoft.Net.Http.Headers;
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

internal static class SetCookie
{
    /// <summary>When a deleted cookie expired: the epoch, as every browser understands.</summary>
    private static readonly DateTimeOffset s_expired = DateTimeOffset.UnixEpoch;

    public static string Format(string name, string value, long? maxAge, DateTimeOffset? expires, string? path,
        string? domain, bool secure, bool httponly, string? samesite)
    {
        if (name.Length == 0 || !name.All(IsTokenChar))
            throw new ArgumentException($"cookie name {Quote(name)} is not a token (letters, digits and !#$%&'*+-.^_`|~ only)");
        if (!value.All(IsCookieOctet))
            throw new ArgumentException($"the value of cookie {name} has a character a cookie value cannot hold (space, '\"', ',', ';', '\\' or a control character): encode it first (urllib.parse.quote, base64)");
        CheckAttribute(name, "path", path);
        CheckAttribute(name, "domain", domain);
        var mode = samesite?.ToLowerInvariant() switch
        {
            null => Microsoft.Net.Http.Headers.SameSiteMode.Unspecified,
            "lax" => Microsoft.Net.Http.Headers.SameSiteMode.Lax,
            "strict" => Microsoft.Net.Http.Headers.SameSiteMode.Strict,
            "none" => secure ? Microsoft.Net.Http.Headers.SameSiteMode.None
                : throw new ArgumentException($"cookie {name}: samesite=\"none\" needs secure=True (browsers drop it otherwise)"),
            _ => throw new ArgumentException($"cookie {name}: samesite must be \"lax\", \"strict\", \"none\" or None, got {Quote(samesite)}"),
        };
        var header = new SetCookieHeaderValue(name, value)
        {
            MaxAge = maxAge is { } s ? TimeSpan.FromSeconds(s) : null,
            Expires = expires,
            Path = path,
            Domain = domain,
            Secure = secure,
            HttpOnly = httponly,
            SameSite = mode,
        };
        return header.ToString();
    }

    /// <summary>The line that deletes a cookie: empty value, expired at the epoch, max-age 0.</summary>
    public static string Delete(string name, string? path, string? domain, bool secure, bool httponly, string? samesite) =>
        Format(name, "", 0, s_expired, path, domain, secure, httponly, samesite);

    /// <summary>expires as a script gives it: None, an int (seconds from now) or an HTTP date str.</summary>
    public static DateTimeOffset? Expires(PyBorrowed expires, string name)
    {
        if (expires.IsNull || PyConvert.IsNone(expires.Handle)) return null;
        if (PyConvert.IsStr(expires.Handle))
        {
            var text = PyConvert.ToStringRaw(expires.Handle);
            return DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
                ? date
                : throw new ArgumentException($"cookie {name}: expires {Quote(text)} is not an HTTP date like \"Thu, 01 Jan 1970 00:00:00 GMT\" (or give seconds from now as an int)");
        }
        return DateTimeOffset.UtcNow.AddSeconds(PyConvert.ToInt64(expires.Handle, "expires"));
    }

    private static void CheckAttribute(string cookie, string what, string? value)
    {
        if (value is not null && value.Any(c => c == ';' || char.IsControl(c)))
            throw new ArgumentException($"cookie {cookie}: {what} {Quote(value)} must not contain ';' or control characters");
    }

    private static bool IsTokenChar(char c) =>
        c is > ' ' and < (char)127 && "()<>@,;:\\\"/[]?={}".IndexOf(c) < 0;

    private static bool IsCookieOctet(char c) =>
        c == 0x21 || c is >= (char)0x23 and <= (char)0x2B || c is >= (char)0x2D and <= (char)0x3A
        || c is >= (char)0x3C and <= (char)0x5B || c is >= (char)0x5D and <= (char)0x7E;

    private static string Quote(string? s) => s is null ? "None" : "\"" + s + "\"";
}
