namespace Shoal.Orchestration.Stack;

/// <summary>A <c>depends_on</c> entry.</summary>
/// <param name="Service">The service depended on.</param>
/// <param name="Condition">What to wait for.</param>
public sealed record DependencyDefinition(string Service, DependencyCondition Condition);
