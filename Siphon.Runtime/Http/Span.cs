// req.span: what a script adds to its request's server span (attributes, events). A thin face on
// the request's System.Diagnostics.Activity (Kestrel's, see Telemetry/Tracing.cs); with tracing off,
// or for a request its trace does not record (sampled out), every call does nothing, so a script
// calls it unconditionally and pays nearly nothing for it then.
using System.Diagnostics;
using Siphon.Bindings;
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

/// <summary>The request's span in the trace: add attributes and events to it.</summary>
[PyClass("Span", Module = "siphon.http")]
public sealed partial class Span
{
    /// <summary>The span of a request that is not traced: records nothing.</summary>
    internal static readonly Span None = new(null);

    internal Span(Activity? activity) => Activity = activity;

    /// <summary>The Activity this span stands for; null when the request is not traced.</summary>
    internal Activity? Activity { get; }

    /// <summary>True when what is added is recorded (tracing is on and this request's trace is sampled).</summary>
    [PyProperty] public bool IsRecording => Activity is { IsAllDataRequested: true };

    /// <summary>Sets an attribute on the span; value is str, int, float or bool (a later value for the same key replaces it).</summary>
    [PyMethod]
    public void SetAttribute(string key, [PyTypeHint("str | int | float | bool")] PyBorrowed value)
    {
        var v = AttributeValue(value.Handle, "value");
        if (key.Length == 0) throw new ArgumentException("set_attribute: key must not be empty");
        if (IsRecording) Activity!.SetTag(key, v);
    }

    /// <summary>Adds a timestamped event to the span, with optional attributes (values str, int, float or bool).</summary>
    [PyMethod]
    public void AddEvent(string name, [PyTypeHint("dict[str, str | int | float | bool] | None")] PyBorrowed attributes = default)
    {
        ActivityTagsCollection? tags = null;
        if (!attributes.IsNull && !PyConvert.IsNone(attributes.Handle)) tags = Attributes(attributes.Handle);
        if (IsRecording) Activity!.AddEvent(new ActivityEvent(name, tags: tags));
    }

    private static unsafe ActivityTagsCollection Attributes(nint dict)
    {
        if (!CApi.HasTypeFlag(dict, CApi.Py_TPFLAGS_DICT_SUBCLASS))
            throw new InvalidCastException($"attributes must be a dict[str, str | int | float | bool] or None, got {PyConvert.TypeNameOf(dict)}");
        var tags = new ActivityTagsCollection();
        nint pos = 0, k = 0, v = 0; // assigned by PyDict_Next
        while (CApi.PyDict_Next(dict, &pos, &k, &v) != 0)
        {
            if (!PyConvert.IsStr(k)) throw new InvalidCastException($"attributes: keys must be str, got {PyConvert.TypeNameOf(k)}");
            var key = PyConvert.ToStringRaw(k);
            tags[key] = AttributeValue(v, $"attributes[{key}]");
        }
        return tags;
    }

    // The value types OpenTelemetry attributes take from a script; bool before int (bool is an int in Python).
    private static object AttributeValue(nint o, string name)
    {
        if (o == PyBuiltins.True) return true;
        if (o == PyBuiltins.False) return false;
        if (PyConvert.IsStr(o)) return PyConvert.ToStringRaw(o);
        if (CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_LONG_SUBCLASS)) return PyConvert.ToInt64(o, name);
        if (CApi.Py_TYPE(o) == PyBuiltins.FloatType) return PyConvert.ToDouble(o, name);
        throw new InvalidCastException($"{name} must be str, int, float or bool, got {PyConvert.TypeNameOf(o)}");
    }
}
