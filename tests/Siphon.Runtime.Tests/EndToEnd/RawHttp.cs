using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>HTTP/1.1 over a plain socket: the request target goes out byte for byte (HttpClient
/// would normalise it), and so do requests HttpClient would not send (malformed ones) or would
/// quietly resend (one whose connection dies).</summary>
public static class RawHttp
{
    public static async Task<(int Status, Dictionary<string, string> Headers, string Body)> SendAsync(
        string host, int port, string method, string target, JsonObject headers, string? body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port);
        var stream = client.GetStream();
        var sb = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            if (value is JsonArray many) foreach (var v in many) sb.Append($"{name}: {v!.GetValue<string>()}\r\n");
            else sb.Append($"{name}: {value!.GetValue<string>()}\r\n");
        }
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null) sb.Append($"Content-Length: {bytes.Length}\r\n");
        sb.Append("\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()));
        await stream.WriteAsync(bytes);
        using var response = new MemoryStream();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            await stream.CopyToAsync(response, cts.Token);
        var raw = response.ToArray();
        var split = IndexOf(raw, "\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(raw, 0, split).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1]);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            result[name] = result.TryGetValue(name, out var prev) ? $"{prev}, {value}" : value;
        }
        var payload = raw.AsSpan(split + 4);
        if (result.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked"))
            payload = Dechunk(payload.ToArray());
        return (status, result, Encoding.UTF8.GetString(payload));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    private static byte[] Dechunk(byte[] data)
    {
        var output = new MemoryStream();
        var pos = 0;
        while (true)
        {
            var lineEnd = data.AsSpan(pos).IndexOf("\r\n"u8) + pos;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(data, pos, lineEnd - pos).Split(';')[0], 16);
            if (size == 0) return output.ToArray();
            output.Write(data, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
    }

    public static IPEndPoint EndPointOf(string url) => new(IPAddress.Loopback, new Uri(url).Port);

    /// <summary>Connects and sends <paramref name="request"/>; the caller owns (and keeps open) the socket.</summary>
    public static async Task<Socket> SendAsync(string url, byte[] request)
    {
        var endpoint = EndPointOf(url);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync(request);
        return socket;
    }

    public static Task<Socket> SendAsync(string url, string request) => SendAsync(url, Encoding.Latin1.GetBytes(request));

    /// <summary>Everything the server sends until it closes the connection (or <paramref name="timeout"/>, default 10 s).</summary>
    public static async Task<string> ReadToCloseAsync(Socket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, cts.Token);
                if (n == 0) break;
                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException) { } // a reset after the answer still leaves the answer
        catch (OperationCanceledException) { } // still open at the deadline: what came so far
        return Encoding.Latin1.GetString(received.ToArray());
    }

    /// <summary>Sends one request with Connection: close semantics left to the caller and returns all the server sent.</summary>
    public static async Task<string> ExchangeAsync(string url, string request, TimeSpan? timeout = null)
    {
        using var socket = await SendAsync(url, request);
        return await ReadToCloseAsync(socket, timeout);
    }
}
