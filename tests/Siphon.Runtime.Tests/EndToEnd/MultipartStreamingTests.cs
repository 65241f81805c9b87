using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Issue 29: http.read_multipart() on a stream=True route reads a 64 MiB multipart upload
/// part by part as it arrives, against the real host: the parts' bytes come out whole and the
/// host's peak RSS grows by less than 32 MiB.</summary>
public class MultipartStreamingTests(ITestOutputHelper output)
{
    private const string Script = """
        import hashlib
        from siphon import http

        @http.route("/parts", methods=["POST"], stream=True)
        async def parts(req):
            out = []
            async for part in http.read_multipart(req):
                digest, size = hashlib.sha256(), 0
                async for chunk in part:
                    digest.update(chunk)
                    size += len(chunk)
                out.append({"name": part.name, "filename": part.filename, "size": size, "sha256": digest.hexdigest()})
            return http.JSONResponse(out)
        """;

    [Fact]
    public async Task A_64_MiB_multipart_upload_is_read_part_by_part_within_32_MiB_of_rss()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("parts.py", Script), dir.Write("http.yaml", """
            servers:
              - listen: "127.0.0.1:0"
                max_body_bytes: 1073741824
                request_timeout_ms: 300000
            """));
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        const int MiB = 1024 * 1024;
        var block = new byte[MiB];
        Random.Shared.NextBytes(block);

        (await client.PostAsync(siphon.Url + "/parts", new MultipartUpload(block, 1))).Dispose(); // warm up
        await Task.Delay(500);
        var idle = StreamingTests.StatusKib(siphon.Pid, "VmRSS");
        using var resp = await client.PostAsync(siphon.Url + "/parts", new MultipartUpload(block, 64));
        var body = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode == HttpStatusCode.OK, body);
        var peak = StreamingTests.StatusKib(siphon.Pid, "VmHWM");

        var expected = SHA256.Create();
        for (var i = 0; i < 64; i++) expected.TransformBlock(block, 0, block.Length, null, 0);
        expected.TransformFinalBlock([], 0, 0);
        var parts = JsonDocument.Parse(body).RootElement;
        Assert.Equal(2, parts.GetArrayLength());
        Assert.Equal("note", parts[0].GetProperty("name").GetString());
        Assert.Equal(5, parts[0].GetProperty("size").GetInt32());
        Assert.Equal("big.bin", parts[1].GetProperty("filename").GetString());
        Assert.Equal(64L * MiB, parts[1].GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(expected.Hash!), parts[1].GetProperty("sha256").GetString());
        output.WriteLine($"idle VmRSS {idle / 1024} MiB, peak VmHWM {peak / 1024} MiB, growth {(peak - idle) / 1024} MiB");
        Assert.True(peak - idle < 32 * 1024, $"peak RSS grew by {(peak - idle) / 1024} MiB over idle ({idle / 1024} MiB): the upload was buffered");
    }

    /// <summary>A text part and a file part of count × block, sent chunked, never held whole.</summary>
    private sealed class MultipartUpload : HttpContent
    {
        private const string Boundary = "siphon-test-boundary";
        private readonly byte[] block;
        private readonly int count;

        public MultipartUpload(byte[] block, int count)
        {
            this.block = block;
            this.count = count;
            Headers.TryAddWithoutValidation("content-type", $"multipart/form-data; boundary={Boundary}");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                + $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
            for (var i = 0; i < count; i++) await stream.WriteAsync(block);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
