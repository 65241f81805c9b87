// Binds Python call arguments to parameter slots for generated thunks, with CPython's own
// TypeError wording. Slots receive BORROWED references, or 0 where the argument was not given
// (the thunk then uses the C# default). Bit i of requiredMask marks parameter i as required.
using System.Text;

namespace Siphon.Runtime.Python.Binding;

public static unsafe class ArgParser
{
    /// <summary>METH_FASTCALL | METH_KEYWORDS: args[0..nargs) positional, then one value per kwnames item.</summary>
    public static void Parse(string function, string[] names, int maxPositional, ulong requiredMask,
        nint* args, nint nargs, nint kwnames, Span<nint> slots)
    {
        if (nargs > maxPositional) throw TooMany(function, maxPositional, nargs);
        for (var i = 0; i < nargs; i++) slots[i] = args[i];
        if (kwnames != 0)
        {
            var nkw = CApi.PyTuple_Size(kwnames);
            for (nint k = 0; k < nkw; k++)
                Assign(function, names, maxPositional, CApi.PyTuple_GetItem(kwnames, k), args[nargs + k], slots);
        }
        CheckRequired(function, names, requiredMask, slots);
    }

    /// <summary>tp_new / METH_VARARGS | METH_KEYWORDS: a tuple and an optional dict.</summary>
    public static void ParseTuple(string function, string[] names, int maxPositional, ulong requiredMask,
        nint args, nint kwargs, Span<nint> slots)
    {
        var nargs = args == 0 ? 0 : CApi.PyTuple_Size(args);
        if (nargs > maxPositional) throw TooMany(function, maxPositional, nargs);
        for (nint i = 0; i < nargs; i++) slots[(int)i] = CApi.PyTuple_GetItem(args, i);
        if (kwargs != 0)
        {
            nint pos = 0, key, value;
            while (CApi.PyDict_Next(kwargs, &pos, &key, &value) != 0)
                Assign(function, names, maxPositional, key, value, slots);
        }
        CheckRequired(function, names, requiredMask, slots);
    }

    private static void Assign(string function, string[] names, int maxPositional, nint key, nint value, Span<nint> slots)
    {
        nint size;
        var p = CApi.PyUnicode_AsUTF8AndSize(key, &size);
        if (p == null) throw PyErrors.Fetch();
        var utf8 = new ReadOnlySpan<byte>(p, (int)size);
        for (var i = 0; i < names.Length; i++)
        {
            if (!System.Text.Ascii.Equals(utf8, names[i])) continue;
            if (slots[i] != 0)
                throw new InvalidCastException(i < maxPositional
                    ? $"{function}() got multiple values for argument '{names[i]}'"
                    : $"{function}() got multiple values for keyword argument '{names[i]}'");
            slots[i] = value;
            return;
        }
        throw new InvalidCastException($"{function}() got an unexpected keyword argument '{Encoding.UTF8.GetString(utf8)}'");
    }

    private static void CheckRequired(string function, string[] names, ulong requiredMask, Span<nint> slots)
    {
        for (var i = 0; i < names.Length; i++)
            if ((requiredMask & (1UL << i)) != 0 && slots[i] == 0)
                throw new InvalidCastException($"{function}() missing required argument '{names[i]}'");
    }

    private static InvalidCastException TooMany(string function, int max, nint given) =>
        new($"{function}() takes {(max == 0 ? "no" : $"at most {max}")} positional argument{(max == 1 ? "" : "s")} ({given} given)");
}
