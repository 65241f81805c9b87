// An internal record in the global namespace, with properties from the primary constructor.
using Siphon.Bindings;

[PyClass("Point")]
internal partial record Point([property: PyProperty] long X, [property: PyProperty] long Y)
{
    [PyConstructor]
    public Point(long x) : this(x, 0)
    {
    }

    [PyMethod]
    public Point Shift(long dx, long dy = 0) => new(X + dx, Y + dy);
}
