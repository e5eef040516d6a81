namespace Shoal.Functions.Configuration;

/// <summary>What one segment of a route's path template matches.</summary>
internal enum RouteSegmentKind
{
    /// <summary>Exactly its text.</summary>
    Literal,

    /// <summary>Any one non-empty segment: <c>{id}</c>.</summary>
    Parameter,

    /// <summary>One or more remaining segments: <c>{proxy+}</c>, always last.</summary>
    Greedy,
}
