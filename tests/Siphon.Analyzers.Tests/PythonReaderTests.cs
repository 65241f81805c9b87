using Siphon.Analyzers.Python;

namespace Siphon.Analyzers.Tests;

public class PythonReaderTests
{
    private static string Sig(PyFunction f) => Drift.DriftComparer.Render(f.Parameters, null);

    [Fact]
    public void Reads_classes_members_and_functions_with_lines()
    {
        var module = PythonReader.Read("""
            import sys


            class MockThing(Base):
                '''Doc.'''

                def __init__(self, a, b=1):
                    self._a = a

                @property
                def a(self) -> int:
                    return self._a

                async def fetch(self, path, *, headers=None):
                    return None


            def route(path, methods=None):
                def decorator(fn):
                    return fn
                return decorator
            """);

        var cls = Assert.Single(module.Classes);
        Assert.Equal(("MockThing", 4), (cls.Name, cls.Line));
        Assert.Equal(["__init__", "a", "fetch"], cls.Members.Select(m => m.Name));
        Assert.Equal([7, 11, 14], cls.Members.Select(m => m.Line));
        Assert.True(cls.Members[1].IsProperty);
        Assert.False(cls.Members[0].IsProperty);
        Assert.True(cls.Members[2].IsAsync);
        Assert.Equal("(self, path, *, headers=None)", Sig(cls.Members[2]));

        var fn = Assert.Single(module.Functions); // the nested decorator() is not a module function
        Assert.Equal(("route", 18, "(path, methods=None)"), (fn.Name, fn.Line, Sig(fn)));
    }

    [Fact]
    public void Multi_line_signature_with_annotations_brackets_commas_and_strings()
    {
        var module = PythonReader.Read("""
            class C:
                def m(
                    self,
                    a: dict[str, tuple[int, str]] = None,  # comment, with a comma
                    b: "Literal['x, y']" = 'it''s',
                    c: Callable[[int, str], None] = {"k": (1, 2)},
                    *args: int,
                    d=b"\x00",
                    e: int = 0x1_0,
                    **kwargs: "dict[str, int]",
                ) -> tuple[int, ...]:
                    pass

                def after(self): ...
            """);

        var members = Assert.Single(module.Classes).Members;
        Assert.Equal(["m", "after"], members.Select(m => m.Name));
        Assert.Equal(14, members[1].Line);
        var ps = members[0].Parameters;
        Assert.Equal(["self", "a", "b", "c", "args", "d", "e", "kwargs"], ps.Select(p => p.Name));
        Assert.Equal(
            [PyParameterKind.PositionalOrKeyword, PyParameterKind.PositionalOrKeyword, PyParameterKind.PositionalOrKeyword,
             PyParameterKind.PositionalOrKeyword, PyParameterKind.VarPositional, PyParameterKind.KeywordOnly,
             PyParameterKind.KeywordOnly, PyParameterKind.VarKeyword],
            ps.Select(p => p.Kind));
        Assert.Equal([null, "None", "'it''s'", "{\"k\": (1, 2)}", null, "b\"\\x00\"", "16", null], ps.Select(p => p.Default));
    }

    [Fact]
    public void Positional_only_marker_and_bare_star()
    {
        var f = Assert.Single(PythonReader.Read("def f(a, b=2, /, c=3, *, d, e='x'): pass\n").Functions);
        Assert.Equal(
            [PyParameterKind.PositionalOnly, PyParameterKind.PositionalOnly, PyParameterKind.PositionalOrKeyword,
             PyParameterKind.KeywordOnly, PyParameterKind.KeywordOnly],
            f.Parameters.Select(p => p.Kind));
        Assert.Equal("(a, b=2, /, c=3, *, d, e=\"x\")", Sig(f));
    }

    [Fact]
    public void Nested_functions_and_classes_inside_members_are_not_members()
    {
        var module = PythonReader.Read("""
            class C:
                def outer(self):
                    def inner(x):
                        return x

                    class Local:
                        def hidden(self): pass

                    return inner

                @staticmethod
                def helper(x):
                    pass
            """);

        var cls = Assert.Single(module.Classes);
        Assert.Equal(["outer", "helper"], cls.Members.Select(m => m.Name));
        Assert.True(cls.Members[1].IsStaticMethod);
        Assert.Empty(module.Functions);
    }

    [Fact]
    public void Docstrings_and_comments_that_look_like_code_are_ignored()
    {
        var module = PythonReader.Read(""""
            '''Module doc.

            def not_a_function(x):
            class NotAClass:
            '''


            class C:
                """Doc with a def fake(self): inside
                and on a second line: async def also_fake(self):
                """
                # def commented_out(self):
                x = "def in_a_string(self):"

                def real(self, s="# not a comment"):
                    '''def nor_this(self):'''
            """");

        var cls = Assert.Single(module.Classes);
        Assert.Equal(8, cls.Line);
        var m = Assert.Single(cls.Members);
        Assert.Equal(("real", 15, "\"# not a comment\""), (m.Name, m.Line, m.Parameters[1].Default));
        Assert.Empty(module.Functions);
    }

    [Fact]
    public void Top_level_statement_ends_the_class_and_decorators_attach_to_the_next_def()
    {
        var module = PythonReader.Read("""
            class A:
                @property
                def p(self): return 1

                @p.setter
                def p(self, v): pass
            Alias = A

            @decorator(with_args=[1, 2])
            async def hook(fn):
                return fn

            if True:
                def conditional(): pass
            """);

        var cls = Assert.Single(module.Classes);
        Assert.Equal(2, cls.Members.Count);
        Assert.True(cls.Members[0].IsProperty);
        Assert.True(cls.Members[1].IsPropertyAccessor);
        var hook = Assert.Single(module.Functions);
        Assert.Equal(("hook", 10, true), (hook.Name, hook.Line, hook.IsAsync));
        Assert.Equal(["decorator(with_args=[1, 2])"], hook.Decorators);
    }

    [Fact]
    public void Backslash_continuation_and_crlf_line_endings()
    {
        var module = PythonReader.Read("class C:\r\n    def m(self, a, \\\r\n          b=None): pass\r\n\r\ndef g(): pass\r\n");
        var m = Assert.Single(Assert.Single(module.Classes).Members);
        Assert.Equal("(self, a, b=None)", Sig(m));
        Assert.Equal(5, Assert.Single(module.Functions).Line);
    }

    [Theory]
    [InlineData("None", "None")]
    [InlineData(" True ", "True")]
    [InlineData("'GET'", "\"GET\"")]
    [InlineData("\"GET\"", "\"GET\"")]
    [InlineData("'say \"hi\"\\n'", "\"say \\\"hi\\\"\\n\"")]
    [InlineData("r'a\\d'", "\"a\\\\d\"")]
    [InlineData("b''", "b\"\"")]
    [InlineData("'''x'''", "\"x\"")]
    [InlineData("1_000", "1000")]
    [InlineData("0x10", "16")]
    [InlineData("-5", "-5")]
    [InlineData("2.50", "2.5")]
    [InlineData("1e3", "1000.0")]
    [InlineData("10.", "10.0")]
    [InlineData("[ 'a',  'b' ]", "[ 'a', 'b' ]")]
    [InlineData("f'{x}'", "f'{x}'")]
    public void Defaults_are_normalised(string source, string expected) =>
        Assert.Equal(expected, PyLiteral.Normalize(source));

    [Theory]
    [InlineData("RaiseForStatus", "raise_for_status")]
    [InlineData("TimeoutMs", "timeout_ms")]
    [InlineData("HTTPVersion", "http_version")]
    [InlineData("Http2PriorKnowledge", "http2_prior_knowledge")]
    [InlineData("baseUrl", "base_url")]
    [InlineData("excType", "exc_type")]
    [InlineData("Body", "body")]
    [InlineData("already_snake", "already_snake")]
    public void Snake_case_matches_the_generator(string csharp, string python) =>
        Assert.Equal(python, Siphon.Bindings.Generator.PyNames.ToSnakeCase(csharp));
}
