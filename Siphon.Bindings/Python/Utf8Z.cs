using System.Text;

namespace Siphon.Runtime.Python;

/// <summary>Interned NUL-terminated UTF-8 copies of constant names, kept for the process's life
/// (CPython keeps pointers to type, method and member names).</summary>
internal static unsafe class Utf8Z
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, nint> s_cache = new();

    public static nint Of(string s) => s_cache.GetOrAdd(s, static v =>
    {
        var bytes = Encoding.UTF8.GetBytes(v);
        var p = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        return (nint)p;
    });
}
