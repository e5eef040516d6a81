using Shoal.Functions.Configuration;

namespace Shoal.Functions.Routing;

/// <summary>A request matched to a function route, with the values of the path's parameters (URL-decoded).</summary>
/// <param name="Route">The route.</param>
/// <param name="PathParameters">Parameter name to value; a greedy <c>{proxy+}</c> holds the rest of the path, slashes and all.</param>
public sealed record RouteMatch(FunctionRoute Route, IReadOnlyDictionary<string, string> PathParameters);
