// Cleartext HTTP/1.1 and prior-knowledge h2c on one socket. Kestrel serves HTTP/2 on cleartext
// only for an Http2-only endpoint or when the connection carries an ALPN result of "h2"
// (PLATFORM-FACTS.md). So this connection middleware peeks at the first bytes without consuming
// them and, when they are the HTTP/2 connection preface, marks the connection as if ALPN had
// chosen h2. Anything else goes on as HTTP/1.1.
using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Siphon.Runtime.Hosting;

internal static class H2cDetection
{
    private static readonly byte[] s_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static async Task DetectAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            var (decided, isH2) = Inspect(buffer);
            if (decided || result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start); // nothing consumed, nothing examined: Kestrel reads it all again
                if (isH2) connection.Features.Set<ITlsApplicationProtocolFeature>(H2Protocol.Instance);
                return;
            }
            input.AdvanceTo(buffer.Start, buffer.End); // a prefix of the preface so far: wait for more
        }
    }

    private static (bool Decided, bool IsH2) Inspect(ReadOnlySequence<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, s_preface.Length);
        Span<byte> head = stackalloc byte[n];
        buffer.Slice(0, n).CopyTo(head);
        if (!head.SequenceEqual(s_preface.AsSpan(0, n))) return (true, false);
        return n == s_preface.Length ? (true, true) : (false, false);
    }

    private sealed class H2Protocol : ITlsApplicationProtocolFeature
    {
        public static readonly H2Protocol Instance = new();
        public ReadOnlyMemory<byte> ApplicationProtocol { get; } = "h2"u8.ToArray();
    }
}
