using Siphon.Runtime.Config;
using static Siphon.Runtime.Unit.Tests.Config.ConfigTestSupport;

namespace Siphon.Runtime.Unit.Tests.Config;

/// <summary>http.yaml's `cache:` list: siphon's field names, strict like every other key.</summary>
public class CacheConfigTests
{
    [Fact]
    public void The_documented_list_loads_with_its_defaults()
    {
        var c = Parse("""
            cache:
              - name: sessions
                local_max_entries: 100000
              - name: dedup
                url: "redis://127.0.0.1:6379/0"
                local_ttl_secs: 60
                timeout_ms: 250
            """);
        Assert.Equal(2, c.Caches.Count);
        var sessions = c.Caches[0];
        Assert.Equal("sessions", sessions.Name);
        Assert.Null(sessions.Redis);
        Assert.Equal(100_000, sessions.LocalMaxEntries);
        Assert.Null(sessions.LocalTtlSecs);
        Assert.Equal(CacheConfig.DefaultTimeoutMs, sessions.TimeoutMs);
        var dedup = c.Caches[1];
        Assert.Equal(new RedisEndpoint("127.0.0.1", 6379, 0, null, null, false), dedup.Redis);
        Assert.Equal(60, dedup.LocalTtlSecs);
        Assert.Equal(CacheConfig.DefaultLocalMaxEntries, dedup.LocalMaxEntries);
        Assert.Equal(250, dedup.TimeoutMs);
        Assert.Empty(Parse("workers: 1\n").Caches);
        Assert.Empty(Parse("cache: []\n").Caches);
    }

    [Fact]
    public void Values_come_from_the_environment_too()
    {
        var c = Parse("""
            cache:
              - name: dedup
                url: "${REDIS_URL:-redis://localhost}"
                timeout_ms: ${CACHE_TIMEOUT}
            """, new Dictionary<string, string> { ["CACHE_TIMEOUT"] = "700" });
        Assert.Equal(new RedisEndpoint("localhost", 6379, 0, null, null, false), c.Caches[0].Redis);
        Assert.Equal(700, c.Caches[0].TimeoutMs);
    }

    [Fact]
    public void An_unknown_key_names_file_line_and_key_and_suggests()
    {
        var e = AssertError("""
            cache:
              - name: a
              - name: b
                local_ttl_sec: 5
            """, 4, "cache[1].local_ttl_sec", "unknown key (expected one of: name, url, local_ttl_secs, local_max_entries, timeout_ms)");
        Assert.Contains("did you mean 'local_ttl_secs'?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_name_names_both_lines()
    {
        AssertError("""
            cache:
              - name: a
              - name: b
              - name: a
            """, 4, "cache[2].name", "duplicate cache name 'a' (first defined on line 2)");
    }

    [Theory]
    [InlineData("http://127.0.0.1:6379", "the scheme must be redis or rediss, not http")]
    [InlineData("127.0.0.1:6379", "not an absolute URL")]
    [InlineData("redis://127.0.0.1:6379/zero", "the path must be a database number, got '/zero'")]
    [InlineData("redis://127.0.0.1:6379/0?ssl=true", "a query string or fragment is not supported")]
    [InlineData("redis://:hunter2@127.0.0.1:99999", "not an absolute URL")]
    public void A_bad_url_names_file_line_and_key(string url, string why)
    {
        var e = AssertError($"""
            cache:
              - name: a
                url: "{url}"
            """, 3, "cache[0].url", why);
        Assert.Contains("expected redis://[:password@]host:port[/db]", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cache:\n  name: a\n", 2, "cache", "expected a sequence of caches")]
    [InlineData("cache:\n  - a\n", 2, "cache[0]", "expected a mapping with name")]
    [InlineData("cache:\n  - url: redis://h\n", 2, "cache[0].name", "required key is missing")]
    [InlineData("cache:\n  - name: a\n    local_max_entries: 0\n", 3, "cache[0].local_max_entries", "must be greater than 0, got 0")]
    [InlineData("cache:\n  - name: a\n    timeout_ms: soon\n", 3, "cache[0].timeout_ms", "expected an integer, got 'soon'")]
    [InlineData("cache:\n  - name: a\n    local_ttl_secs: -1\n", 3, "cache[0].local_ttl_secs", "must be greater than 0, got -1")]
    public void Wrong_shapes_and_values_are_errors(string yaml, int line, string key, string fragment) =>
        AssertError(yaml, line, key, fragment);

    [Theory]
    [InlineData("redis://localhost", "localhost", 6379, 0, null, null, false)]
    [InlineData("redis://10.0.0.5:6380/3", "10.0.0.5", 6380, 3, null, null, false)]
    [InlineData("redis://:s%40cret@h:1/2", "h", 1, 2, null, "s@cret", false)]
    [InlineData("redis://app:pw@h", "h", 6379, 0, "app", "pw", false)]
    [InlineData("redis://pw@h", "h", 6379, 0, null, "pw", false)]
    [InlineData("rediss://[::1]:7000", "::1", 7000, 0, null, null, true)]
    public void Redis_urls_parse(string url, string host, int port, int db, string? user, string? password, bool tls)
    {
        Assert.True(RedisEndpoint.TryParse(url, out var e, out var why), why);
        Assert.Equal(new RedisEndpoint(host, port, db, user, password, tls), e);
        Assert.DoesNotContain(password ?? "\0", e!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_hides_the_password_only()
    {
        Assert.Equal("redis://:***@h:1/0", RedisEndpoint.Redact("redis://:pw@h:1/0"));
        Assert.Equal("redis://app:***@h", RedisEndpoint.Redact("redis://app:pw@h"));
        Assert.Equal("redis://***@h", RedisEndpoint.Redact("redis://pw@h"));
        Assert.Equal("redis://h:1", RedisEndpoint.Redact("redis://h:1"));
    }
}
