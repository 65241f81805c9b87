using Siphon.Runtime.Config;
using static Siphon.Runtime.Unit.Tests.Config.ConfigTestSupport;

namespace Siphon.Runtime.Unit.Tests.Config;

/// <summary>http.yaml's admin: and log_format: keys.</summary>
public class AdminConfigTests
{
    [Fact]
    public void Admin_is_off_and_logs_are_text_by_default()
    {
        var c = Parse("workers: 1\n");
        Assert.Null(c.Admin);
        Assert.Equal(LogFormat.Text, c.LogFormat);
        Assert.Null(Parse("admin: ~\n").Admin);
    }

    [Fact]
    public void Admin_listen_and_stall_after_ms_are_read()
    {
        var c = Parse("admin:\n  listen: \"0.0.0.0:9090\"\n  stall_after_ms: 2500\nlog_format: json\n");
        Assert.Equal(new ListenEndpoint("0.0.0.0", 9090), c.Admin!.Listen);
        Assert.Equal(2500, c.Admin.StallAfterMs);
        Assert.Equal(LogFormat.Json, c.LogFormat);
        Assert.Equal(AdminConfig.DefaultStallAfterMs, Parse("admin:\n  listen: 127.0.0.1:9090\n").Admin!.StallAfterMs);
        Assert.Equal(LogFormat.Text, Parse("log_format: text\n").LogFormat);
    }

    [Theory]
    [InlineData("admin:\n  port: 9090\n", 2, "admin.port", "unknown key (expected one of: listen, stall_after_ms)")]
    [InlineData("admin:\n  stall_after_ms: 100\n", 2, "admin.listen", "required key is missing")]
    [InlineData("admin:\n  listen: nowhere\n", 2, "admin.listen", "")]
    [InlineData("admin: 9090\n", 1, "admin", "expected a mapping")]
    [InlineData("admin:\n  listen: 127.0.0.1:9090\n  stall_after_ms: 10\n", 3, "admin.stall_after_ms", "must be at least 100, got 10")]
    [InlineData("log_format: yaml\n", 1, "log_format", "expected 'text' or 'json', got 'yaml'")]
    [InlineData("log_format: JSON\n", 1, "log_format", "expected 'text' or 'json', got 'JSON'")]
    [InlineData("admin:\n  listn: 127.0.0.1:9090\n", 2, "admin.listn", "did you mean 'listen'?")]
    public void Bad_admin_or_log_format_values_name_the_key_and_line(string yaml, int line, string key, string reason) =>
        AssertError(yaml, line, key, reason);

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("0.0.0.0:8080", "127.0.0.1:8080")]
    [InlineData("127.0.0.1:8080", "*:8080")]
    public void The_admin_listener_may_not_share_a_serving_listeners_port(string admin, string server)
    {
        var e = AssertError($"admin:\n  listen: \"{admin}\"\nservers:\n  - listen: \"{server}\"\n", 2, "admin.listen", "is the port of servers[0]");
        Assert.Contains("needs a port of its own", e.Reason);
    }

    [Fact]
    public void A_different_port_or_an_ephemeral_one_is_fine()
    {
        Assert.NotNull(Parse("admin:\n  listen: 127.0.0.1:9090\nservers:\n  - listen: 127.0.0.1:8080\n").Admin);
        Assert.NotNull(Parse("admin:\n  listen: 127.0.0.1:0\nservers:\n  - listen: 127.0.0.1:0\n").Admin);
    }
}
