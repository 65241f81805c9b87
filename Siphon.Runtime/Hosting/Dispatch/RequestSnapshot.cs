// The request as the worker sees it, taken on the Kestrel side before it is handed to a worker:
// the body read whole (within the listener's cap), the headers copied, the client address.
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Siphon.Runtime.Hosting.Transport;
using Siphon.Runtime.Http;
using Siphon.Runtime.Routing;
using Siphon.Runtime.Telemetry;

namespace Siphon.Runtime.Hosting.Dispatch;

internal static class RequestSnapshot
{
    /// <summary>The bound Request a handler gets: method, path, query, headers, the body read (empty
    /// for a stream=True route, which opens <paramref name="streamed"/> instead), the client address
    /// and certificate, and the path parameters of the match. With tracing on, the request's
    /// server span is named here, by its route pattern and worker.</summary>
    public static Request Take(HttpContext ctx, Listener listener, string method, string rawTarget, int query,
        ReadOnlyMemory<byte> body, in RouteMatch match, StreamedRequestBody? streamed, int workerIndex)
    {
        var request = ctx.Request;
        return new Request(method, request.Path.HasValue ? request.Path.Value! : "/", query < 0 ? null : rawTarget[(query + 1)..],
            CopyHeaders(request.Headers), body, listener.ClientOf(ctx),
            ctx.Connection.ClientCertificate?.Subject, match.Params)
        {
            OpenStream = streamed is null ? null : streamed.Open,
            Trace = Tracing.Enabled ? Tracing.Routed(method, match.Route?.Pattern, workerIndex) : null,
        };
    }

    /// <summary>The body passed the listener's cap while it was read.</summary>
    public sealed class BodyTooLargeException : Exception;

    /// <summary>Reads the whole body into one buffer (sized by Content-Length when sent), throwing
    /// BodyTooLargeException past <paramref name="cap"/>.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>> ReadBodyAsync(PipeReader reader, long? length, long cap, CancellationToken ct)
    {
        if (length == 0) return ReadOnlyMemory<byte>.Empty;
        byte[] buffer = length is { } n ? new byte[n] : new byte[Math.Min(cap, 16 * 1024)];
        var filled = 0;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var data = result.Buffer;
            foreach (var segment in data)
            {
                if (filled + segment.Length > cap) throw new BodyTooLargeException();
                if (filled + segment.Length > buffer.Length)
                    Array.Resize(ref buffer, (int)Math.Min(cap, Math.Max(buffer.Length * 2L, filled + segment.Length)));
                segment.Span.CopyTo(buffer.AsSpan(filled));
                filled += segment.Length;
            }
            reader.AdvanceTo(data.End);
            if (result.IsCompleted) break;
        }
        return new ReadOnlyMemory<byte>(buffer, 0, filled);
    }

    /// <summary>One pair per header line, lower-case names, HTTP/2 pseudo-headers left out (Request
    /// joins repeated names for req.headers and keeps the lines for req.header_list() and req.cookies).</summary>
    public static KeyValuePair<string, string>[] CopyHeaders(IHeaderDictionary headers)
    {
        var result = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var (name, values) in headers)
        {
            if (name.Length > 0 && name[0] == ':') continue; // HTTP/2 pseudo-headers
            var lower = name.ToLowerInvariant();
            foreach (var value in values) result.Add(new(lower, value ?? ""));
        }
        return [.. result];
    }
}
