using Shoal.Configuration;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Tests.Configuration;

public sealed class RoutingFileTests : IDisposable
{
    private const string Functions = "functions:\n  hello:\n    command: [x]\n    code: .\n  world:\n    command: [x]\n    code: .\n";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private FunctionsConfiguration Load(string routing, string functions = Functions) =>
        FunctionsFileLoader.Load(_dir.Write("functions.yml", functions), _dir.Write("routing.yml", routing), _ => null);

    private string ErrorOf(string routing, string functions = Functions) =>
        Assert.Throws<ConfigFileException>(() => Load(routing, functions)).Message;

    [Fact]
    public void Load_Routes_ReadEveryField()
    {
        var config = Load("""
            stage: prod
            auth:
              api_keys:
                - id: local
                  value: plain-text-key
              jwt:
                hs256_secret: "0123456789abcdef0123456789abcdef"
            routes:
              - path: /users/{id}
                method: get
                function: hello
                payload: "1.0"
                auth: api-key
              - path: /files/{proxy+}
                method: Post
                function: world
                payload: 2.0
                auth: jwt
              - path: /
                function: hello
                auth: none
            """);

        Assert.Equal(
            [
                new FunctionRoute("/users/{id}", "GET", "hello", PayloadVersion.V1, RouteAuth.ApiKey, "routing.yml:9"),
                new FunctionRoute("/files/{proxy+}", "POST", "world", PayloadVersion.V2, RouteAuth.Jwt, "routing.yml:14"),
                new FunctionRoute("/", "ANY", "hello", PayloadVersion.V2, RouteAuth.None, "routing.yml:19"),
            ],
            config.Routes);
        Assert.Equal("prod", config.Stage);
        Assert.Equal(2, config.Functions.Count);
    }

    [Fact]
    public void Load_MinimalRoute_TakesTheDefaults()
    {
        var config = Load("routes:\n  - { path: /hello, function: hello }\n");

        Assert.Equal([new FunctionRoute("/hello", "ANY", "hello", PayloadVersion.V2, RouteAuth.None, "routing.yml:2")], config.Routes);
        Assert.Equal("$default", config.Stage);
        Assert.Empty(config.Auth.ApiKeys);
        Assert.Null(config.Auth.Jwt);
    }

    [Fact]
    public void Load_NoRoutesSection_HasNoRoutes()
    {
        Assert.Empty(Load("stage: $default\n").Routes);
    }

    [Fact]
    public void Load_SamePathWithOtherMethods_IsNotADuplicate()
    {
        var config = Load("routes:\n  - { path: '/a/{id}', method: GET, function: hello }\n  - { path: '/a/{id}', method: POST, function: hello }\n  - { path: '/a/{id}', function: world }\n");

        Assert.Equal(["GET /a/{id}", "POST /a/{id}", "ANY /a/{id}"], config.Routes.Select(r => r.RouteKey));
    }

    [Theory]
    [InlineData("{ path: /a, function: nope }", "routing.yml:2:27: routes[0].function: 'nope' is not a function of functions.yml; known: hello, world")]
    [InlineData("{ path: /a, function: hello, method: FETCH }", "routing.yml:2:42: routes[0].method: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY, got 'FETCH'")]
    [InlineData("{ path: /a, function: hello, payload: 3.0 }", "routing.yml:2:43: routes[0].payload: expected one of 1.0, 2.0, got '3.0'")]
    [InlineData("{ path: /a, function: hello, auth: iam }", "routing.yml:2:40: routes[0].auth: expected one of none, api-key, jwt, got 'iam'")]
    [InlineData("{ path: /a, function: hello, auth: api-key }", "routing.yml:2:40: routes[0].auth: api-key needs at least one key under auth.api_keys")]
    [InlineData("{ path: /a, function: hello, auth: jwt }", "routing.yml:2:40: routes[0].auth: jwt needs an auth.jwt section with the signing keys")]
    [InlineData("{ function: hello }", "routing.yml:2:5: routes[0].path: missing: give the path, e.g. /users/{id}")]
    [InlineData("{ path: /a }", "routing.yml:2:5: routes[0].function: missing: give the function the route invokes")]
    [InlineData("{ path: a, function: hello }", "routing.yml:2:13: routes[0].path: 'a' is not a route path: a route path starts with '/', e.g. /users/{id}")]
    [InlineData("{ path: '/a/{id', function: hello }", "routing.yml:2:13: routes[0].path: '/a/{id' is not a route path: '{id' mixes text and a parameter: a segment is either literal text or a whole {name}")]
    [InlineData("{ path: '/{p+}/a', function: hello }", "routing.yml:2:13: routes[0].path: '/{p+}/a' is not a route path: the greedy '{p+}' must be the last segment")]
    [InlineData("{ path: /a, function: hello, method: GET, cors: true }", "routing.yml:2:47: routes[0].cors: unknown field 'cors'; allowed here: path, method, function, payload, auth")]
    [InlineData("/hello", "routing.yml:2:5: routes[0]: expected a mapping with 'path' and 'function', got '/hello'")]
    public void Load_BadRoute_NamesFileLineAndField(string route, string expected)
    {
        Assert.Equal(expected, ErrorOf("routes:\n  - " + route + "\n"));
    }

    [Theory]
    [InlineData("routes: /hello\n", "routing.yml:1:9: routes: expected a list of routes such as - { path: /hello, function: hello }, got '/hello'")]
    [InlineData("stage: 'my stage'\n", "routing.yml:1:8: stage: 'my stage' is not a stage: use $default or letters, digits, '-' and '_' (1 to 64 characters)")]
    [InlineData("rotes: []\n", "routing.yml:1:1: rotes: unknown field 'rotes' (did you mean 'routes'?)")]
    [InlineData("- /hello\n", "routing.yml:1:1: the routing file must be a mapping with a 'routes:' list (and optionally 'auth:' and 'stage:')")]
    public void Load_BadTopLevel_NamesFileLineAndField(string routing, string expected)
    {
        Assert.Equal(expected, ErrorOf(routing));
    }

    [Fact]
    public void Load_DuplicateRoute_NamesTheFirstOne()
    {
        Assert.Equal("routing.yml:4:11: routes[1].path: duplicate route: GET /users/{name} matches the same requests as GET /users/{id} (routing.yml:2)",
            ErrorOf("routes:\n  - { path: '/users/{id}', method: GET, function: hello }\n  - method: get\n    path: /users/{name}\n    function: world\n"));
    }

    [Fact]
    public void Load_ErrorsInBothFiles_AreReportedTogether()
    {
        var ex = Assert.Throws<ConfigFileException>(() => Load("routes:\n  - { path: /a, function: nope }\n", Functions + "    memory: 1\n"));

        Assert.Equal(
            [
                "functions.yml:8:13: functions.world.memory: 1 is out of range; allowed 128 to 10240",
                "routing.yml:2:27: routes[0].function: 'nope' is not a function of functions.yml; known: hello, world",
            ],
            ex.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_BrokenFunction_StillCountsAsDeclaredForRoutes()
    {
        var error = Assert.Single(Assert.Throws<ConfigFileException>(() => Load("routes:\n  - { path: /a, function: broken }\n", Functions + "  broken: 3\n")).Errors);

        Assert.Equal("functions.yml", error.File);
    }
}
