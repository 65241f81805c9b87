// Conversions between C# values and Python objects, used by the generated glue and the host.
// ToPy(...) returns a NEW reference (None for null). From-Python conversions take a BORROWED
// reference and throw InvalidCastException (surfacing in Python as TypeError) naming the argument.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Siphon.Runtime.Python;

public static unsafe class PyConvert
{
    // ---------------- C# → Python (new references) ----------------

    /// <summary>A new reference to None (what generated thunks of void methods return).</summary>
    public static nint None() => PyBuiltins.NewNone();

    public static nint ToPy(string? value)
    {
        if (value is null) return PyBuiltins.NewNone();
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= 512)
        {
            var buf = stackalloc byte[max];
            var n = Encoding.UTF8.GetBytes(value, new Span<byte>(buf, max));
            return PyErrors.ThrowIfNull(CApi.PyUnicode_FromStringAndSize(buf, n));
        }
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var n = Encoding.UTF8.GetBytes(value, rented);
            fixed (byte* p = rented) return PyErrors.ThrowIfNull(CApi.PyUnicode_FromStringAndSize(p, n));
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    public static nint ToPy(long value) => PyErrors.ThrowIfNull(CApi.PyLong_FromLongLong(value));
    public static nint ToPy(int value) => PyErrors.ThrowIfNull(CApi.PyLong_FromLongLong(value));
    public static nint ToPy(bool value) => PyBuiltins.NewBool(value);
    public static nint ToPy(double value) => PyErrors.ThrowIfNull(CApi.PyFloat_FromDouble(value));
    public static nint ToPy(long? value) => value is { } v ? ToPy(v) : PyBuiltins.NewNone();
    public static nint ToPy(int? value) => value is { } v ? ToPy(v) : PyBuiltins.NewNone();
    public static nint ToPy(bool? value) => value is { } v ? ToPy(v) : PyBuiltins.NewNone();
    public static nint ToPy(double? value) => value is { } v ? ToPy(v) : PyBuiltins.NewNone();

    /// <summary>A value whose Python type follows its run-time type (a generated result typed
    /// object): str, bytes or None; anything else is a TypeError.</summary>
    public static nint ToPyAny(object? value) => value switch
    {
        null => PyBuiltins.NewNone(),
        string s => ToPy(s),
        byte[] b => ToPy(b),
        ReadOnlyMemory<byte> m => ToPy(m),
        _ => throw new InvalidCastException($"no Python conversion for a {value.GetType().Name} result"),
    };

    public static nint ToPy(byte[]? value) => value is null ? PyBuiltins.NewNone() : ToPy(new ReadOnlySpan<byte>(value));
    public static nint ToPy(ReadOnlyMemory<byte> value) => ToPy(value.Span);
    public static nint ToPy(ReadOnlyMemory<byte>? value) => value is { } v ? ToPy(v.Span) : PyBuiltins.NewNone();

    public static nint ToPy(ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value) return PyErrors.ThrowIfNull(CApi.PyBytes_FromStringAndSize(p, value.Length));
    }

    public static nint ToPy(IReadOnlyDictionary<string, string>? value)
    {
        if (value is null) return PyBuiltins.NewNone();
        using var dict = PyOwned.Checked(CApi.PyDict_New());
        foreach (var (k, v) in value)
        {
            using var pk = PyOwned.Adopt(ToPy(k));
            using var pv = PyOwned.Adopt(ToPy(v));
            PyErrors.ThrowIfMinusOne(CApi.PyDict_SetItem(dict.Handle, pk.Handle, pv.Handle));
        }
        return dict.Steal();
    }

    public static nint ToPy(IReadOnlyList<string>? value) => ToPyList(value, static s => ToPy(s));

    /// <summary>A list of converted items; <paramref name="convert"/> returns a new reference.</summary>
    public static nint ToPyList<T>(IReadOnlyList<T>? value, Func<T, nint> convert)
    {
        if (value is null) return PyBuiltins.NewNone();
        using var list = PyOwned.Checked(CApi.PyList_New(value.Count));
        for (var i = 0; i < value.Count; i++)
            PyErrors.ThrowIfMinusOne(CApi.PyList_SetItem(list.Handle, i, convert(value[i]))); // steals the item
        return list.Steal();
    }

    // ---------------- Python → C# (borrowed in) ----------------

    public static bool IsNone(nint o) => o == PyBuiltins.None;

    /// <summary>A str or a subclass of it.</summary>
    public static bool IsStr(nint o) => CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_UNICODE_SUBCLASS);

    /// <summary>The text of a str object (no type check: the caller knows it is a str).</summary>
    public static string ToStringRaw(nint o)
    {
        nint size;
        var p = CApi.PyUnicode_AsUTF8AndSize(o, &size);
        if (p == null) throw PyErrors.Fetch();
        return Encoding.UTF8.GetString(p, (int)size);
    }

    public static string ToString(nint o, string argName)
    {
        if (!IsStr(o)) throw Mismatch(argName, "str", o);
        return ToStringRaw(o);
    }

    public static string? ToNullableString(nint o, string argName) => IsNone(o) ? null : ToString(o, argName);

    public static long ToInt64(nint o, string argName)
    {
        if (!CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_LONG_SUBCLASS) || CApi.Py_TYPE(o) == PyBuiltins.BoolType)
            throw Mismatch(argName, "int", o);
        var v = CApi.PyLong_AsLongLong(o);
        if (v == -1 && CApi.PyErr_Occurred() != 0)
        {
            CApi.PyErr_Clear();
            throw new OverflowException($"{argName}: integer out of range");
        }
        return v;
    }

    public static int ToInt32(nint o, string argName)
    {
        var v = ToInt64(o, argName);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new OverflowException($"{argName}: integer out of range");
    }

    public static long? ToNullableInt64(nint o, string argName) => IsNone(o) ? null : ToInt64(o, argName);
    public static int? ToNullableInt32(nint o, string argName) => IsNone(o) ? null : ToInt32(o, argName);

    public static bool ToBoolean(nint o, string argName)
    {
        if (o == PyBuiltins.True) return true;
        if (o == PyBuiltins.False) return false;
        throw Mismatch(argName, "bool", o);
    }

    public static bool? ToNullableBoolean(nint o, string argName) => IsNone(o) ? null : ToBoolean(o, argName);

    public static double ToDouble(nint o, string argName)
    {
        var t = CApi.Py_TYPE(o);
        if (t == PyBuiltins.FloatType || CApi.PyType_IsSubtype(t, PyBuiltins.FloatType) != 0) return CApi.PyFloat_AsDouble(o);
        if (CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_LONG_SUBCLASS) && t != PyBuiltins.BoolType) return ToInt64(o, argName);
        throw Mismatch(argName, "float", o);
    }

    public static double? ToNullableDouble(nint o, string argName) => IsNone(o) ? null : ToDouble(o, argName);

    /// <summary>bytes, bytearray, or str (encoded as UTF-8).</summary>
    public static byte[] ToBytes(nint o, string argName)
    {
        if (CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_BYTES_SUBCLASS))
        {
            byte* p; nint n;
            PyErrors.ThrowIfMinusOne(CApi.PyBytes_AsStringAndSize(o, &p, &n));
            return new ReadOnlySpan<byte>(p, (int)n).ToArray();
        }
        if (IsStr(o))
        {
            nint size;
            var p = CApi.PyUnicode_AsUTF8AndSize(o, &size);
            if (p == null) throw PyErrors.Fetch();
            return new ReadOnlySpan<byte>(p, (int)size).ToArray();
        }
        var t = CApi.Py_TYPE(o);
        if (t == PyBuiltins.ByteArrayType || CApi.PyType_IsSubtype(t, PyBuiltins.ByteArrayType) != 0)
            return new ReadOnlySpan<byte>(CApi.PyByteArray_AsString(o), (int)CApi.PyByteArray_Size(o)).ToArray();
        throw Mismatch(argName, "bytes or str", o);
    }

    public static byte[]? ToNullableBytes(nint o, string argName) => IsNone(o) ? null : ToBytes(o, argName);
    public static ReadOnlyMemory<byte> ToMemory(nint o, string argName) => ToBytes(o, argName);
    public static ReadOnlyMemory<byte>? ToNullableMemory(nint o, string argName) =>
        IsNone(o) ? (ReadOnlyMemory<byte>?)null : ToBytes(o, argName);

    /// <summary>A dict[str, str] as a C# dictionary.</summary>
    public static IReadOnlyDictionary<string, string> ToDictionary(nint o, string argName)
    {
        if (!CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_DICT_SUBCLASS)) throw Mismatch(argName, "dict[str, str]", o);
        var result = new Dictionary<string, string>((int)CApi.PyDict_Size(o));
        nint pos = 0, k, v;
        while (CApi.PyDict_Next(o, &pos, &k, &v) != 0)
        {
            // Names for the error message are built only on the error path: this runs per response.
            if (!IsStr(k)) throw Mismatch(argName + " key", "str", k);
            var key = ToStringRaw(k);
            if (!IsStr(v)) throw Mismatch($"{argName}[{key}]", "str", v);
            result[key] = ToStringRaw(v);
        }
        return result;
    }

    public static IReadOnlyDictionary<string, string>? ToNullableDictionary(nint o, string argName) =>
        IsNone(o) ? null : ToDictionary(o, argName);

    /// <summary>A list or tuple of str; a lone str is taken as a one-item list.</summary>
    public static IReadOnlyList<string> ToStringList(nint o, string argName) =>
        IsStr(o) ? [ToStringRaw(o)] : ToList(o, argName, static (item, name) => ToString(item, name));

    public static IReadOnlyList<string>? ToNullableStringList(nint o, string argName) =>
        IsNone(o) ? null : ToStringList(o, argName);

    /// <summary>A list or tuple whose items <paramref name="convert"/> turns into T (item borrowed).</summary>
    public static IReadOnlyList<T> ToList<T>(nint o, string argName, Func<nint, string, T> convert)
    {
        if (CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_LIST_SUBCLASS))
        {
            var n = CApi.PyList_Size(o);
            var result = new T[n];
            for (nint i = 0; i < n; i++) result[i] = convert(CApi.PyList_GetItem(o, i), $"{argName}[{i}]");
            return result;
        }
        if (CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_TUPLE_SUBCLASS))
        {
            var n = CApi.PyTuple_Size(o);
            var result = new T[n];
            for (nint i = 0; i < n; i++) result[i] = convert(CApi.PyTuple_GetItem(o, i), $"{argName}[{i}]");
            return result;
        }
        throw Mismatch(argName, "list", o);
    }

    /// <summary>The Python type name of an object (tp_name), for messages.</summary>
    public static string TypeNameOf(nint o)
    {
        var tpName = *(byte**)(CApi.Py_TYPE(o) + 3 * sizeof(nint)); // after ob_refcnt, ob_type, ob_size
        return Marshal.PtrToStringUTF8((nint)tpName) ?? "?";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidCastException Mismatch(string argName, string expected, nint o) =>
        new($"{argName}: expected {expected}, got {TypeNameOf(o)}");
}
