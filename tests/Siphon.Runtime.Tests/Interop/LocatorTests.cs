using Siphon.Runtime.Python;

namespace Siphon.Runtime.Tests.Interop;

public class LocatorTests
{
    [Fact]
    public void Finds_a_shared_libpython_from_the_python_on_path()
    {
        var install = PythonLocator.Locate();
        Assert.True(File.Exists(install.LibraryPath), install.LibraryPath);
        Assert.Contains("libpython3.", Path.GetFileName(install.LibraryPath));
        Assert.True(PythonLocator.IsSupported(install.Version));
    }

    [Theory]
    [InlineData("libpython3.11.so.1.0", "3.11")]
    [InlineData("libpython3.13.so", "3.13")]
    [InlineData("libpython3.12d.so", "3.12")]
    public void Reads_the_version_from_a_library_name(string name, string expected) =>
        Assert.Equal(Version.Parse(expected), PythonLocator.VersionFromLibraryName(name));

    [Fact]
    public void A_missing_python_is_a_clear_error_listing_what_was_tried_and_the_fix()
    {
        // $SIPHON_PYTHON is passed in, never set: servers other tests start meanwhile inherit the process environment.
        var e = Assert.Throws<PythonNotFoundException>(() => PythonLocator.Locate("/nonexistent/bin/python3.99", "test.yaml", null, env: null));
        Assert.Contains("/nonexistent/bin/python3.99", e.Message);
        Assert.Contains("'python:' in test.yaml", e.Message);
        Assert.Contains("apt-get install libpython3.11", e.Message);
        var e2 = Assert.Throws<PythonNotFoundException>(() => PythonLocator.Locate("/nonexistent/libpython3.11.so.1.0", null, null, env: null));
        Assert.Contains("no such file", e2.Message);
    }

    [Fact]
    public void The_command_line_choice_wins_over_the_environment_and_the_config()
    {
        const string env = "/nonexistent/from-env/python3";
        var e = Assert.Throws<PythonNotFoundException>(() => PythonLocator.Locate("/nonexistent/from-config/python3", "x.yaml", "/nonexistent/from-cli/python3", env));
        Assert.Contains("/nonexistent/from-cli/python3 (--python)", e.Message);
        Assert.DoesNotContain("from-env", e.Message);
        var e2 = Assert.Throws<PythonNotFoundException>(() => PythonLocator.Locate("/nonexistent/from-config/python3", "x.yaml", null, env));
        Assert.Contains("from-env", e2.Message);
    }
}
