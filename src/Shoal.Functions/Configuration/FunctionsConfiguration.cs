namespace Shoal.Functions.Configuration;

/// <summary>Everything <c>functions.yml</c> and <c>routing.yml</c> say, validated.</summary>
public sealed record FunctionsConfiguration
{
    /// <summary>No functions.</summary>
    public static FunctionsConfiguration Empty { get; } = new();

    /// <summary>The functions by name.</summary>
    public IReadOnlyList<FunctionDefinition> Functions { get; init; } = [];

    /// <summary>The routes, in file order.</summary>
    public IReadOnlyList<FunctionRoute> Routes { get; init; } = [];

    /// <summary>Keys for authenticated routes.</summary>
    public AuthSettings Auth { get; init; } = AuthSettings.None;

    /// <summary>The stage events report (<c>requestContext.stage</c>); API Gateway's HTTP APIs use <c>$default</c>.</summary>
    public string Stage { get; init; } = "$default";

    /// <summary>The function with this name, or null.</summary>
    public FunctionDefinition? Find(string name) => Functions.FirstOrDefault(f => f.Name == name);
}
