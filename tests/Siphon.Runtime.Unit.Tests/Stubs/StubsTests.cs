using Siphon.Runtime.Stubs;
using Siphon.Tests.Shared;

namespace Siphon.Runtime.Unit.Tests.Stubs;

public class StubsTests
{
    [Fact]
    public void The_committed_stubs_are_what_the_build_generates()
    {
        // The siphon package's (an extension another test loaded into this process adds its own modules).
        var rendered = StubWriter.Render().Where(f => f.Key.StartsWith("siphon", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(["siphon/__init__.pyi", "siphon/cache.pyi", "siphon/http.pyi", "siphon/log.pyi"], rendered.Keys.Select(k => k.Replace('\\', '/')).Order());
        // Both copies: the siphon-stubs package and the stubs inside the SDK's mock package.
        foreach (var dir in new[] { "stubs", "sdk/src" })
            foreach (var (rel, text) in rendered)
            {
                var committed = Path.Combine(Repo.Root, dir, rel);
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

    [Fact]
    public void The_cache_stub_has_the_bound_class_its_error_and_module_level_functions()
    {
        var cache = StubWriter.Render()["siphon/cache.pyi"];
        foreach (var name in new[] { "class CacheNamespace:", "class CacheError(Exception):",
                     "async def fetch(self, name: str, key: str) -> str | None:",
                     "async def store(self, name: str, key: str, value: str, ttl: int | None = None) -> bool:",
                     "async def list_pop_all(self, name: str, key: str) -> list[str]:",
                     "def has_cache(self, name: str) -> bool:", "fetch = _cache.fetch", "has_cache = _cache.has_cache" })
            Assert.Contains(name, cache);
        Assert.Contains("from . import cache as cache", StubWriter.Render()["siphon/__init__.pyi"]);
    }
}
