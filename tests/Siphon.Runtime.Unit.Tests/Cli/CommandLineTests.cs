using Siphon.Runtime.Cli;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Unit.Tests.Cli;

public class CommandLineTests
{
    [Theory]
    [InlineData("processes", WorkerMode.Processes)]
    [InlineData("interpreters", WorkerMode.Interpreters)]
    public void Worker_mode_is_parsed(string value, WorkerMode expected)
    {
        var cli = CommandLine.Parse(["run", "app.py", "--workers", "2", "--worker-mode", value]);
        Assert.Equal(2, cli.Workers);
        Assert.Equal(expected, cli.WorkerMode);
    }

    [Fact]
    public void Worker_mode_is_unset_unless_given()
    {
        Assert.Null(CommandLine.Parse(["run", "app.py", "--workers", "2"]).WorkerMode);
    }

    [Theory]
    [InlineData("threads", "--worker-mode takes processes or interpreters, got 'threads'")]
    [InlineData("Interpreters", "--worker-mode takes processes or interpreters, got 'Interpreters'")]
    public void A_bad_worker_mode_is_a_usage_error(string value, string message)
    {
        var e = Assert.Throws<UsageException>(() => CommandLine.Parse(["run", "app.py", "--worker-mode", value]));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Worker_mode_needs_a_value()
    {
        var e = Assert.Throws<UsageException>(() => CommandLine.Parse(["run", "app.py", "--worker-mode"]));
        Assert.Equal("--worker-mode needs a value", e.Message);
    }

    [Fact]
    public void Usage_names_the_option_and_its_values()
    {
        Assert.Contains("--worker-mode processes|interpreters", CommandLine.Usage);
        Assert.Contains("--worker-mode MODE", CommandLine.Usage);
    }

    [Fact]
    public void The_command_line_overrides_http_yaml()
    {
        var dir = Directory.CreateTempSubdirectory("siphon-cli-");
        try
        {
            var yaml = Path.Combine(dir.FullName, "http.yaml");
            File.WriteAllText(yaml, "workers: 3\nworker_mode: interpreters\n");
            var fromFile = Program.LoadConfig(CommandLine.Parse(["run", "app.py", "--config", yaml]));
            Assert.Equal(3, fromFile.Workers);
            Assert.Equal(WorkerMode.Interpreters, fromFile.WorkerMode);
            var overridden = Program.LoadConfig(CommandLine.Parse(["run", "app.py", "--config", yaml, "--worker-mode", "processes", "--workers", "2"]));
            Assert.Equal(2, overridden.Workers);
            Assert.Equal(WorkerMode.Processes, overridden.WorkerMode);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
