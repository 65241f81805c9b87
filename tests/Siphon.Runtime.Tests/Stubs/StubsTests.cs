using Siphon.Runtime.Stubs;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Stubs;

public class StubsTests
{
    [Fact]
    public void The_committed_stubs_are_what_the_build_generates()
    {
        var rendered = StubWriter.Render();
        Assert.Equal(["siphon/__init__.pyi", "siphon/http.pyi", "siphon/log.pyi"], rendered.Keys.Select(k => k.Replace('\\', '/')).Order());
        // Both copies: the siphon-stubs package and the stubs inside the SDK's mock package.
        foreach (var dir in new[] { "stubs", "sdk/src" })
            foreach (var (rel, text) in rendered)
            {
                var committed = Path.Combine(SiphonProcess.RepoRoot, dir, rel);
                Assert.True(File.Exists(committed), $"{dir}/{rel} is missing: build Siphon.Runtime (it rewrites them) and commit it");
                Assert.True(File.ReadAllText(committed) == text, $"{dir}/{rel} is stale: build Siphon.Runtime (it rewrites them) and commit it");
            }
    }

    [Fact]
    public void The_stubs_cover_every_bound_type_and_every_decorator()
    {
        var http = StubWriter.Render()["siphon/http.pyi"];
        foreach (var name in new[] { "class Request:", "class Response:", "class Client:", "def route(", "def middleware(",
                     "def on_startup(", "def on_shutdown(", "class HttpStatusError(", "def raise_for_status(self) -> Response:",
                     "async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:" })
            Assert.Contains(name, http);
    }
}
