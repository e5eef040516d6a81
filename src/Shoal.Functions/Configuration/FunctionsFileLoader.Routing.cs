using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Functions.Configuration;

// The routing.yml half of the loader: stage and routes (auth: is in FunctionsFileLoader.Auth.cs).
public static partial class FunctionsFileLoader
{
    private const string DefaultStage = "$default";

    private static readonly string[] s_routingTopKeys = ["stage", "auth", "routes"];
    private static readonly string[] s_routeKeys = ["path", "method", "function", "payload", "auth"];
    private static readonly string[] s_methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];

    private static readonly Dictionary<string, PayloadVersion> s_payloads = new(StringComparer.Ordinal)
    {
        ["1.0"] = PayloadVersion.V1,
        ["2.0"] = PayloadVersion.V2,
    };

    private static readonly Dictionary<string, RouteAuth> s_routeAuths = new(StringComparer.Ordinal)
    {
        ["none"] = RouteAuth.None,
        ["api-key"] = RouteAuth.ApiKey,
        ["jwt"] = RouteAuth.Jwt,
    };

    /// <summary>What <c>routing.yml</c> says.</summary>
    private sealed record RoutingSection(List<FunctionRoute> Routes, AuthSettings Auth, string Stage)
    {
        public static RoutingSection Empty { get; } = new([], AuthSettings.None, DefaultStage);
    }

    private static RoutingSection ReadRouting(
        YamlMappingNode root, string directory, YamlErrors errors, FunctionsSection? functions, string functionsFile, Func<string, string?> environment)
    {
        var top = new YamlFields(root, string.Empty, errors, s_routingTopKeys);
        var stage = top.GetString("stage") ?? DefaultStage;
        if (stage != DefaultStage && !NamePattern().IsMatch(stage))
        {
            errors.Add(top.Get("stage")!, "stage", $"'{stage}' is not a stage: use {DefaultStage} or letters, digits, '-' and '_' (1 to 64 characters)");
        }

        var auth = ReadAuth(top, directory, environment);
        var routes = ReadRoutes(top, auth, functions, functionsFile);
        return new RoutingSection(routes, auth.Settings, stage);
    }

    private static List<FunctionRoute> ReadRoutes(YamlFields top, AuthSection auth, FunctionsSection? functions, string functionsFile)
    {
        var routes = new List<FunctionRoute>();
        var node = top.Get("routes");
        if (node is null)
        {
            return routes;
        }

        if (node is not YamlSequenceNode sequence)
        {
            top.Errors.Add(node, "routes", $"expected a list of routes such as - {{ path: /hello, function: hello }}, got {YamlFields.Describe(node)}");
            return routes;
        }

        // Same method, same path up to parameter names: both would match the same requests.
        var seen = new Dictionary<string, FunctionRoute>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in sequence.Children)
        {
            var path = $"routes[{index++}]";
            if (item is not YamlMappingNode map)
            {
                top.Errors.Add(item, path, $"expected a mapping with 'path' and 'function', got {YamlFields.Describe(item)}");
                continue;
            }

            var r = new YamlFields(map, path, top.Errors, s_routeKeys);
            var route = ReadRoute(r, auth, functions, functionsFile, out var segments);
            if (segments is not null && !seen.TryAdd($"{route.Method} {RoutePathTemplate.ShapeOf(segments)}", route))
            {
                var first = seen[$"{route.Method} {RoutePathTemplate.ShapeOf(segments)}"];
                r.Errors.Add(r.Get("path")!, r.FieldPath("path"), $"duplicate route: {route.RouteKey} matches the same requests as {first.RouteKey} ({first.Source})");
            }

            routes.Add(route);
        }

        return routes;
    }

    private static FunctionRoute ReadRoute(YamlFields r, AuthSection auth, FunctionsSection? functions, string functionsFile, out RouteSegment[]? segments)
    {
        segments = null;
        var path = r.GetString("path");
        if (path is null)
        {
            if (r.Get("path") is null)
            {
                r.Errors.Add(r.Node, r.FieldPath("path"), "missing: give the path, e.g. /users/{id}");
            }
        }
        else if (!RoutePathTemplate.TryParse(path, out segments, out var why))
        {
            r.Errors.Add(r.Get("path")!, r.FieldPath("path"), $"'{path}' is not a route path: {why}");
        }

        var function = r.GetString("function");
        if (function is null)
        {
            if (r.Get("function") is null)
            {
                r.Errors.Add(r.Node, r.FieldPath("function"), "missing: give the function the route invokes");
            }
        }
        else if (functions is not null && !functions.Names.Contains(function))
        {
            r.Errors.Add(r.Get("function")!, r.FieldPath("function"),
                $"'{function}' is not a function of {functionsFile}; known: {string.Join(", ", functions.Names.Order(StringComparer.Ordinal))}");
        }

        var routeAuth = r.GetEnum("auth", s_routeAuths) ?? RouteAuth.None;
        if (routeAuth == RouteAuth.ApiKey && !auth.DeclaresApiKeys)
        {
            r.Errors.Add(r.Get("auth")!, r.FieldPath("auth"), "api-key needs at least one key under auth.api_keys");
        }
        else if (routeAuth == RouteAuth.Jwt && !auth.DeclaresJwt)
        {
            r.Errors.Add(r.Get("auth")!, r.FieldPath("auth"), "jwt needs an auth.jwt section with the signing keys");
        }

        return new FunctionRoute(
            path ?? string.Empty,
            ReadMethod(r),
            function ?? string.Empty,
            r.GetEnum("payload", s_payloads) ?? PayloadVersion.V2,
            routeAuth,
            $"{r.Errors.File}:{LineOf(r.Node)}");
    }

    private static string ReadMethod(YamlFields r)
    {
        var method = r.GetString("method");
        if (method is null)
        {
            return "ANY";
        }

        foreach (var known in s_methods)
        {
            if (string.Equals(method, known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        r.Errors.Add(r.Get("method")!, r.FieldPath("method"), $"expected one of {string.Join(", ", s_methods)}, got '{method}'");
        return "ANY";
    }
}
