using System.Buffers;
using System.Text;

namespace Siphon.Runtime.Routing;

/// <summary>
/// Percent-decoding of one path segment (or a catch-all remainder).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Runs of <c>%XX</c> escapes (hex digits of either case) are decoded as UTF-8.</item>
/// <item>An escape whose bytes are not valid UTF-8 (a lone <c>%C3</c>, an overlong form, a surrogate)
/// is kept as its original text, as are malformed escapes (<c>%zz</c>, <c>%2</c>, a trailing <c>%</c>).</item>
/// <item><c>+</c> is not special in paths and stays <c>+</c>.</item>
/// </list>
/// Because a raw <c>/</c> is ASCII it never sits inside a UTF-8 sequence, so decoding a remainder
/// equals decoding each of its segments and joining them with <c>/</c>.
/// </remarks>
internal static class PercentDecoder
{
    private const int StackLimit = 512;

    /// <summary>Decodes <paramref name="s"/>; returns a new string (callers skip this when there is no '%').</summary>
    public static string Decode(ReadOnlySpan<char> s)
    {
        if (s.IndexOf('%') < 0)
        {
            return s.ToString();
        }

        char[]? rentedChars = null;
        byte[]? rentedBytes = null;
        // Output never grows: 3 chars per byte in, at most 1 char per byte out (2 per 4-byte rune).
        Span<char> output = s.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : (rentedChars = ArrayPool<char>.Shared.Rent(s.Length));
        int byteCap = s.Length / 3 + 1;
        Span<byte> bytes = byteCap <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rentedBytes = ArrayPool<byte>.Shared.Rent(byteCap));
        try
        {
            int o = 0;
            int i = 0;
            while (i < s.Length)
            {
                if (s[i] != '%' || !TryHexByte(s, i, out _))
                {
                    output[o++] = s[i++];
                    continue;
                }

                // Collect a run of consecutive well-formed escapes.
                int runStart = i;
                int n = 0;
                while (i < s.Length && s[i] == '%' && TryHexByte(s, i, out byte b))
                {
                    bytes[n++] = b;
                    i += 3;
                }

                int p = 0;
                while (p < n)
                {
                    var status = Rune.DecodeFromUtf8(bytes[p..n], out Rune rune, out int consumed);
                    if (status == OperationStatus.Done)
                    {
                        o += rune.EncodeToUtf16(output[o..]);
                    }
                    else
                    {
                        // Invalid or truncated sequence: keep the original escape text of those bytes.
                        s.Slice(runStart + p * 3, consumed * 3).CopyTo(output[o..]);
                        o += consumed * 3;
                    }
                    p += consumed;
                }
            }
            return new string(output[..o]);
        }
        finally
        {
            if (rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(rentedChars);
            }
            if (rentedBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBytes);
            }
        }
    }

    private static bool TryHexByte(ReadOnlySpan<char> s, int percentIndex, out byte value)
    {
        if (percentIndex + 2 < s.Length)
        {
            int hi = HexValue(s[percentIndex + 1]);
            int lo = HexValue(s[percentIndex + 2]);
            if ((hi | lo) >= 0)
            {
                value = (byte)((hi << 4) | lo);
                return true;
            }
        }
        value = 0;
        return false;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
