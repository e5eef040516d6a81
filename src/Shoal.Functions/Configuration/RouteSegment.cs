namespace Shoal.Functions.Configuration;

/// <summary>One segment of a route's path template.</summary>
/// <param name="Kind">What it matches.</param>
/// <param name="Value">The literal text, or the parameter's name (without braces or '+').</param>
internal readonly record struct RouteSegment(RouteSegmentKind Kind, string Value);
