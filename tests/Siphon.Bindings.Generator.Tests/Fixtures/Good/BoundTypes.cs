// [PyClass] types as parameters and results of each other, in the same module and across modules.
using System.Threading.Tasks;
using Siphon.Bindings;

namespace Fixtures.BoundTypes;

[PyClass("Node", Module = "siphon.graph")]
public partial class Node
{
    [PyProperty] public Node? Parent { get; private set; }

    [PyProperty] public Edge First => new(this);

    [PyMethod]
    public Edge Connect(Node other, Edge? via = null)
    {
        other.Parent = this;
        return via ?? new Edge(this);
    }

    [PyMethod]
    public Task<Node?> FindAsync(string name) => Task.FromResult(name.Length == 0 ? null : Parent);
}

[PyClass("Edge", Module = "siphon.edges")]
public partial class Edge(Node from)
{
    [PyProperty] public Node Origin { get; } = from;
}
