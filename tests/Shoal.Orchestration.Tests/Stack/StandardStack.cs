using Shoal.Hosting;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>
/// The stack loader with every feature's section reader, composed as the daemon composes them
/// (<see cref="StackSections.Standard"/>): the tests of whole stack files and of the full error texts. The typed
/// accessors (<c>stack.Gateway</c>, <c>service.LoadBalancing</c>, …) are <see cref="StackSections"/>' own.
/// </summary>
internal static class StandardStack
{
    public static StackDefinition Parse(string yaml, string fullPath, string displayName) =>
        StackFileLoader.Parse(yaml, fullPath, displayName, StackSections.Standard);
}
