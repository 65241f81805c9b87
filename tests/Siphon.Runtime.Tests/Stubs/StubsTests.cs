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
        foreach (var (rel, text) in rendered)
        {
            var committed = Path.Combine(SiphonProcess.RepoRoot, "stubs", rel);
            Assert.True(File.Exists(committed), $"stubs/{rel} is missing: build Siphon.Runtime (it rewrites stubs/) and commit them");
            Assert.True(File.ReadAllText(committed) == text, $"stubs/{rel} is stale: build Siphon.Runtime (it rewrites stubs/) and commit them");
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
