// Python objects as they are: a PyOwned result (property and method, annotated by [PyTypeHint]),
// a [PySelf] first parameter, which is not part of the Python signature, and a result typed
// object, converted by its run-time type (str or bytes).
using Siphon.Bindings;
using Siphon.Runtime.Python;

namespace Fixtures.PythonObjects;

[PyClass("Mirror", Module = "siphon.http")]
public partial class Mirror
{
    /// <summary>A str made by the C# side, handed over as an object.</summary>
    [PyProperty]
    [PyTypeHint("str")]
    public PyOwned Name => PyOwned.Adopt(PyConvert.ToPy("mirror"));

    /// <summary>The Python object it was called on, or the tag.</summary>
    [PyMethod]
    [return: PyTypeHint("Mirror | str")]
    public PyOwned Reflect([PySelf] PyBorrowed self, string tag = "self") =>
        tag == "self" ? self.NewReference() : PyOwned.Adopt(PyConvert.ToPy(tag));

    /// <summary>A str or bytes, by the value's run-time type; anything else is a TypeError.</summary>
    [PyMethod]
    [return: PyTypeHint("str | bytes")]
    public object Either(string kind = "text") => kind switch
    {
        "text" => "text",
        "bytes" => new byte[] { 1, 2 },
        _ => 42,
    };
}
