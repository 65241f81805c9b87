// Writing a Response to Kestrel: the host's own short text/plain answers, a buffered Response,
// and a streamed one whose chunks come from the worker's loop (BodyPump). Kestrel/pool threads
// only; never takes the GIL.
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Telemetry;
using Siphon.Runtime.Hosting.Transport;

namespace Siphon.Runtime.Hosting.Dispatch;

internal static class ResponseWriter
{
    // Short text/plain error bodies, the same words as the SDK harness uses.
    public static readonly byte[] NotFound = "not found\n"u8.ToArray();
    public static readonly byte[] MethodNotAllowed = "method not allowed\n"u8.ToArray();
    public static readonly byte[] InternalError = "internal server error\n"u8.ToArray();
    public static readonly byte[] PayloadTooLarge = "payload too large\n"u8.ToArray();
    public static readonly byte[] GatewayTimeout = "gateway timeout\n"u8.ToArray();
    public static readonly byte[] ServiceUnavailable = "service unavailable\n"u8.ToArray();

    public static Task WriteText(HttpContext ctx, int status, byte[] body)
    {
        // A refused body stays unread on the wire, so an HTTP/1.x connection cannot be reused.
        if (status == 413 && HttpProtocol.IsHttp11(ctx.Request.Protocol)) ctx.Response.Headers.Connection = "close";
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : ctx.Response.Body.WriteAsync(body, 0, body.Length);
    }

    public static async Task WriteResponse(HttpContext ctx, Response r, bool head)
    {
        var response = ctx.Response;
        WriteHead(response, r);
        if (r.Status is 204 or 304 || r.Status < 200) return; // no body allowed
        response.ContentLength = r.Content.Length;
        if (!head && r.Content.Length > 0)
            await response.BodyWriter.WriteAsync(r.Content, ctx.RequestAborted);
    }

    /// <summary>A Response whose body is an async iterable: its producer runs on the worker's loop
    /// (BodyPump) and each chunk is written and flushed before the next is asked for. Chunked on
    /// HTTP/1.1, DATA frames on HTTP/2. The rest of request_timeout_ms bounds the wait for the
    /// first chunk (504 if it passes); after that a producer that raises aborts the connection
    /// (HTTP/1.1) or resets the stream (HTTP/2), and a client that goes away cancels the producer.</summary>
    public static async Task WriteStreamedAsync(HttpContext ctx, Response r, PendingRequest pending, TimeSpan firstByteBudget, ILogger log)
    {
        var worker = pending.Worker;
        var pump = new BodyPump(worker);
        var head = HttpMethods.IsHead(ctx.Request.Method) || r.Status is 204 or 304 || r.Status < 200;
        worker.Post(new ActionWork(() =>
        {
            using var trace = ScriptTrace.Enter(pending.Request); // the producer's client calls and log lines
            using var iterable = r.TakeStream();
            if (iterable is null) pump.Fail("this streamed Response's body was already taken (sent once, or moved on by replace() or stream()): an async iterable can be drained only once");
            else if (!head) pump.Start(iterable.Handle);
        }));
        if (head)
        {
            WriteHead(ctx.Response, r);
            return;
        }
        var aborted = ctx.RequestAborted;
        using var onAbort = aborted.Register(static p => ((BodyPump)p!).Cancel(), pump);
        try
        {
            byte[]? chunk;
            try
            {
                chunk = await pump.ReadAsync(aborted).AsTask().WaitAsync(firstByteBudget > TimeSpan.Zero ? firstByteBudget : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                pump.Cancel();
                using (WorkerLog.For(worker.Index)) log.LogWarning("{Method} {Path} ({Route}): no first chunk of the streamed body within request_timeout_ms", pending.Request.Method, pending.Request.Path, pending.Route);
                await WriteText(ctx, 504, GatewayTimeout);
                return;
            }
            catch (ProducerFailedException e)
            {
                using (WorkerLog.For(worker.Index)) log.LogError("{Method} {Path} ({Route}): the streamed body's producer raised before its first chunk\n{Traceback}", pending.Request.Method, pending.Request.Path, pending.Route, e.Traceback);
                await WriteText(ctx, 500, InternalError);
                return;
            }
            WriteHead(ctx.Response, r);
            var writer = ctx.Response.BodyWriter;
            while (chunk is not null)
            {
                var flushed = await writer.WriteAsync(chunk, aborted);
                if (flushed.IsCanceled || flushed.IsCompleted) { pump.Cancel(); return; } // the client is gone
                chunk = await pump.ReadAsync(aborted);
            }
        }
        catch (ProducerFailedException e)
        {
            using (WorkerLog.For(worker.Index)) log.LogError("{Method} {Path} ({Route}): the streamed body's producer raised; aborting the response\n{Traceback}", pending.Request.Method, pending.Request.Path, pending.Route, e.Traceback);
            ctx.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || aborted.IsCancellationRequested)
        {
            pump.Cancel(); // the client went away (or the producer was cancelled): nothing more to send
            if (!aborted.IsCancellationRequested) ctx.Abort();
        }
    }

    private static void WriteHead(HttpResponse response, Response r)
    {
        response.StatusCode = r.Status;
        foreach (var (name, value) in r.Lines)
        {
            // Framing is Kestrel's job: a script's Content-Length or Transfer-Encoding is not used.
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase) || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
                continue;
            response.Headers.Append(name, value); // a repeated name (two Set-Cookie lines) stays two lines
        }
    }
}
