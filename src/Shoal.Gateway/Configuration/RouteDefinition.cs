namespace Shoal.Gateway.Configuration;

/// <summary>A path pattern and its service: <c>/api/**</c> matches <c>/api</c> and everything below it; a pattern without <c>*</c> matches exactly.</summary>
/// <param name="Pattern">The path pattern.</param>
/// <param name="Service">The service that serves it.</param>
public sealed record RouteDefinition(string Pattern, string Service);
