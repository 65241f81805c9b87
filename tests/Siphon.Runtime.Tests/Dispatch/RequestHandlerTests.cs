using System.Net;
using Siphon.Tests.Shared;

namespace Siphon.Runtime.Tests.Dispatch;

/// <summary>The request path with a real worker in the test process (<see cref="InProcessHost"/>):
/// the host's own answers (404, 405, 413, 504), dispatch to plain and async handlers, guards, and a
/// handler that raises. One host serves every case of the class; each case uses its own routes, so
/// none reads what another left behind.</summary>
[Collection("python")]
public sealed class RequestHandlerTests(RequestHandlerTests.Host host) : IClassFixture<RequestHandlerTests.Host>
{
    private const string Script = """
        import asyncio, contextvars
        from siphon import http, log

        seen = contextvars.ContextVar("seen", default="unset")

        uploads = []
        cancelled = []

        @http.middleware
        def deny(req):
            if req.header("x-deny") is not None:
                return http.Response(status=401, body="denied by the guard")
            return None

        @http.route("/upload", methods=["POST"])
        def upload(req):
            uploads.append(len(req.body()))
            return http.Response(body=str(len(req.body())))

        @http.route("/uploads")
        def upload_count(req):
            return http.Response(body=",".join(map(str, uploads)))

        @http.route("/slow")
        async def slow(req):
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.append(req.path)
                log.info("slow handler cancelled")
                raise
            return http.Response(body="finished")

        @http.route("/cancelled")
        def cancelled_paths(req):
            return http.Response(body=",".join(cancelled))

        @http.route("/items/{id}", methods=["GET", "DELETE"])
        async def item(req):
            if req.method == "DELETE":
                return http.Response(status=204)
            await asyncio.sleep(0)
            return http.Response(headers={"Content-Type": "application/json"}, body=f'{{"id": "{req.path_params["id"]}"}}')

        @http.route("/plain/{id}")
        def plain(req):
            return http.Response(body=f"plain {req.path_params['id']} {req.query_params.get('q', '')}")

        @http.route("/boom")
        def boom(req):
            raise KeyError("no such thing")

        @http.route("/none")
        async def none(req):
            return None

        @http.route("/task/{v}")
        async def task_semantics(req):
            # What a handler may rely on in its first step, wherever that runs: its own task, its
            # own context (nothing another request set), the loop as the running loop.
            before = seen.get()
            seen.set(req.path_params["v"])
            task = asyncio.current_task()
            async with asyncio.timeout(5):  # needs the current task
                pass
            if req.query_params.get("suspend"):
                async with asyncio.TaskGroup() as tg:  # needs it too; suspends
                    tg.create_task(asyncio.sleep(0))
            same = asyncio.current_task() is task and task is not None
            return http.Response(body=f"{before} {seen.get()} {same} {asyncio.get_running_loop() is task.get_loop()}")
        """;

    /// <summary>The class's one in-process host: max_body_bytes 64, request_timeout_ms 300.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public InProcessHost Siphon { get; private set; } = null!;

        public async Task InitializeAsync() => Siphon = await InProcessHost.StartAsync(Script, """
            servers:
              - listen: "127.0.0.1:0"
                max_body_bytes: 64
                request_timeout_ms: 300
            """);

        public async Task DisposeAsync() => await Siphon.DisposeAsync();
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private string Url => host.Siphon.Url;

    [Fact]
    public async Task An_unknown_path_is_404_and_a_known_path_with_another_method_is_405_with_allow()
    {
        using var missing = await Http.GetAsync($"{Url}/nowhere");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not found\n", await missing.Content.ReadAsStringAsync());

        using var wrong = await Http.PostAsync($"{Url}/items/7", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrong.StatusCode);
        Assert.Equal("DELETE, GET, HEAD", string.Join(", ", wrong.Content.Headers.Allow));
        Assert.Equal("method not allowed\n", await wrong.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Plain_and_async_handlers_answer_with_path_params_query_and_method()
    {
        using var get = await Http.GetAsync($"{Url}/items/a%20b");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"id": "a b"}""", await get.Content.ReadAsStringAsync());

        using var delete = await Http.DeleteAsync($"{Url}/items/a");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        // Many at once, plain and async mixed: each answer is its own request's.
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
            i % 2 == 0 ? await Http.GetStringAsync($"{Url}/plain/{i}?q=v{i}") : await Http.GetStringAsync($"{Url}/items/{i}")));
        for (var i = 0; i < answers.Length; i++)
            Assert.Equal(i % 2 == 0 ? $"plain {i} v{i}" : $$"""{"id": "{{i}}"}""", answers[i]);
    }

    [Fact]
    public async Task An_async_handler_has_its_own_task_and_context_in_its_first_step_also_when_run_on_a_kestrel_thread()
    {
        var inlineBefore = host.Siphon.Worker.InlineRuns;
        // One at a time (the loop parked: run on the thread that read it), then many at once
        // (posted behind a borrower, or to the loop), finishing at once or suspending.
        for (var i = 0; i < 20; i++)
            Assert.Equal($"unset {i} True True", await Http.GetStringAsync($"{Url}/task/{i}"));
        Assert.True(host.Siphon.Worker.InlineRuns >= inlineBefore + 20, "the requests ran on the thread that read them");
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Http.GetStringAsync($"{Url}/task/{i}" + (i % 3 == 0 ? "?suspend=1" : ""))));
        for (var i = 0; i < answers.Length; i++)
            Assert.Equal($"unset {i} True True", answers[i]);
    }

    [Fact]
    public async Task A_guard_answers_instead_of_the_route()
    {
        using var msg = new HttpRequestMessage(HttpMethod.Get, $"{Url}/plain/1");
        msg.Headers.Add("x-deny", "1");
        using var denied = await Http.SendAsync(msg);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("denied by the guard", await denied.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_body_cap_serves_exactly_the_cap_and_refuses_one_byte_more_without_calling_the_handler()
    {
        var before = await Http.GetStringAsync($"{Url}/uploads");
        using (var ok = await Http.PostAsync($"{Url}/upload", new ByteArrayContent(new byte[64])))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("64", await ok.Content.ReadAsStringAsync());
        }
        using (var tooBig = await Http.PostAsync($"{Url}/upload", new ByteArrayContent(new byte[65])))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
            Assert.Equal("payload too large\n", await tooBig.Content.ReadAsStringAsync());
        }
        // Chunked (no Content-Length): the cap is enforced while reading.
        var chunked = new StreamContent(new MemoryStream(new byte[65]));
        chunked.Headers.ContentLength = null;
        using (var msg = new HttpRequestMessage(HttpMethod.Post, $"{Url}/upload") { Content = chunked })
        {
            msg.Headers.TransferEncodingChunked = true;
            using var tooBigChunked = await Http.SendAsync(msg);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBigChunked.StatusCode);
        }
        Assert.Equal(before == "" ? "64" : before + ",64", await Http.GetStringAsync($"{Url}/uploads"));
    }

    [Fact]
    public async Task A_slow_async_handler_gets_504_and_the_script_sees_the_cancellation()
    {
        var started = DateTime.UtcNow;
        using var resp = await Http.GetAsync($"{Url}/slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, resp.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(async () => await Http.GetStringAsync($"{Url}/cancelled") == "/slow", "the handler to see its cancellation");
        Assert.Contains("slow handler cancelled", host.Siphon.Log);
    }

    [Fact]
    public async Task A_handler_that_raises_or_returns_none_is_a_500_with_the_traceback_logged_and_the_worker_serves_on()
    {
        using var raised = await Http.GetAsync($"{Url}/boom");
        Assert.Equal(HttpStatusCode.InternalServerError, raised.StatusCode);
        Assert.Equal("internal server error\n", await raised.Content.ReadAsStringAsync()); // the traceback never goes to the client
        using var none = await Http.GetAsync($"{Url}/none");
        Assert.Equal(HttpStatusCode.InternalServerError, none.StatusCode);
        await Wait.UntilAsync(() => host.Siphon.Log.Contains("KeyError: 'no such thing'"), "the traceback in the log");
        var line = Script.Split('\n').ToList().FindIndex(l => l.Contains("raise KeyError")) + 1;
        Assert.Contains($"app.py\", line {line}, in boom", host.Siphon.Log);
        await Wait.UntilAsync(() => host.Siphon.Log.Contains("returned NoneType, not http.Response"), "the None answer named in the log");
        Assert.Equal("plain 2 ", await Http.GetStringAsync($"{Url}/plain/2"));
    }
}
