// A pythonnet encoder for the [PyClass] types: C# code that converts a bound object with pythonnet
// (`obj.ToPython()`, a `clr` script calling into .NET) gets an instance of the generated type, the
// one a handler sees, rather than pythonnet's reflection wrapper. Main interpreter only (pythonnet
// runs there and nowhere else).
using PyObject = global::Python.Runtime.PyObject;
using PyObjectConversions = global::Python.Runtime.PyObjectConversions;
using IPyObjectEncoder = global::Python.Runtime.IPyObjectEncoder;

namespace Siphon.Runtime.Python.Binding;

internal sealed class BoundObjectEncoder : IPyObjectEncoder
{
    private static int s_registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0) PyObjectConversions.RegisterEncoder(new BoundObjectEncoder());
    }

    public bool CanEncode(Type type) => BindingRegistry.IsBound(type);

    public PyObject? TryEncode(object value) =>
        PyObjects.FromStolen(BoundObject.Alloc(BindingRegistry.TypeOf(value.GetType()), value));
}
