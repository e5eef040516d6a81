using Shoal.Functions.Configuration;
using Shoal.Functions.Routing;

namespace Shoal.Functions.Tests.Routing;

public sealed class FunctionRouteTableTests
{
    private static FunctionRoute Route(string key)
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        return new FunctionRoute(key[(space + 1)..], key[..space], "fn", PayloadVersion.V2, RouteAuth.None);
    }

    private static FunctionRouteTable Table(params string[] keys) => new(keys.Select(Route));

    private static string? KeyOf(FunctionRouteTable table, string method, string path) => table.Match(method, path)?.Route.RouteKey;

    [Fact]
    public void Match_LiteralSegment_BeatsParameter()
    {
        var table = Table("GET /users/{id}", "GET /users/me");

        Assert.Equal("GET /users/me", KeyOf(table, "GET", "/users/me"));
        Assert.Equal("GET /users/{id}", KeyOf(table, "GET", "/users/42"));
    }

    [Fact]
    public void Match_Parameter_BeatsGreedy()
    {
        var table = Table("GET /files/{proxy+}", "GET /files/{name}");

        Assert.Equal("GET /files/{name}", KeyOf(table, "GET", "/files/a"));
        Assert.Equal("GET /files/{proxy+}", KeyOf(table, "GET", "/files/a/b"));
    }

    [Fact]
    public void Match_EarlierLiteral_DecidesBeforeLaterSegments()
    {
        var table = Table("GET /a/{x}/c", "GET /a/b/{y}");

        Assert.Equal("GET /a/b/{y}", KeyOf(table, "GET", "/a/b/c"));
        Assert.Equal("GET /a/{x}/c", KeyOf(table, "GET", "/a/z/c"));
    }

    [Fact]
    public void Match_LongerGreedyPrefix_Wins()
    {
        var table = Table("ANY /{proxy+}", "ANY /api/{proxy+}", "ANY /api/v2/{proxy+}");

        Assert.Equal("ANY /api/v2/{proxy+}", KeyOf(table, "GET", "/api/v2/x"));
        Assert.Equal("ANY /api/{proxy+}", KeyOf(table, "GET", "/api/v1/x"));
        Assert.Equal("ANY /{proxy+}", KeyOf(table, "GET", "/other"));
        Assert.Equal("ANY /{proxy+}", KeyOf(table, "GET", "/api"));
    }

    [Fact]
    public void Match_Greedy_NeedsAtLeastOneSegment()
    {
        var table = Table("GET /files/{proxy+}", "GET /{proxy+}");

        Assert.Equal("GET /{proxy+}", KeyOf(table, "GET", "/files"));
        Assert.Null(KeyOf(table, "GET", "/"));
        Assert.Null(KeyOf(Table("GET /files/{proxy+}"), "GET", "/files/"));
    }

    [Fact]
    public void Match_ExactMethod_BeatsAny()
    {
        var table = Table("ANY /orders", "POST /orders");

        Assert.Equal("POST /orders", KeyOf(table, "POST", "/orders"));
        Assert.Equal("ANY /orders", KeyOf(table, "GET", "/orders"));
        Assert.Equal("POST /orders", KeyOf(table, "post", "/orders"));
    }

    [Fact]
    public void Match_SpecificPath_BeatsExactMethod()
    {
        var table = Table("GET /users/{id}", "ANY /users/me");

        Assert.Equal("ANY /users/me", KeyOf(table, "GET", "/users/me"));
    }

    [Fact]
    public void Match_SpecificPathWithoutTheMethod_FallsBackToALessSpecificOne()
    {
        var table = Table("POST /users/me", "GET /users/{id}");

        var match = table.Match("GET", "/users/me")!;

        Assert.Equal("GET /users/{id}", match.Route.RouteKey);
        Assert.Equal("me", match.PathParameters["id"]);
        Assert.Null(table.Match("DELETE", "/users/me"));
    }

    [Fact]
    public void Match_Head_UsesHeadThenGetThenAny()
    {
        Assert.Equal("HEAD /a", KeyOf(Table("ANY /a", "GET /a", "HEAD /a"), "HEAD", "/a"));
        Assert.Equal("GET /a", KeyOf(Table("ANY /a", "GET /a"), "HEAD", "/a"));
        Assert.Equal("ANY /a", KeyOf(Table("ANY /a", "POST /a"), "HEAD", "/a"));
        Assert.Null(KeyOf(Table("POST /a"), "HEAD", "/a"));
        Assert.Null(KeyOf(Table("HEAD /a"), "GET", "/a"));
    }

    [Fact]
    public void Match_Parameters_AreUrlDecodedPerSegment()
    {
        var table = Table("GET /users/{id}/files/{path+}");

        var match = table.Match("GET", "/users/john%20doe/files/a%2Fb/c%3F.txt")!;

        Assert.Equal(new Dictionary<string, string> { ["id"] = "john doe", ["path"] = "a/b/c?.txt" }, match.PathParameters);
    }

    [Fact]
    public void Match_EncodedSlashInAParameter_StaysInThatParameter()
    {
        var match = Table("GET /a/{x}/{y}").Match("GET", "/a/1%2F2/3")!;

        Assert.Equal("1/2", match.PathParameters["x"]);
        Assert.Equal("3", match.PathParameters["y"]);
    }

    [Fact]
    public void Match_EncodedLiteral_MatchesItsDecodedForm()
    {
        var table = Table("GET /hello", "GET /caf%C3%A9");

        Assert.Equal("GET /hello", KeyOf(table, "GET", "/h%65llo"));
        Assert.Equal("GET /caf%C3%A9", KeyOf(table, "GET", "/caf%c3%a9"));
    }

    [Theory]
    [InlineData("/users/42/")]
    [InlineData("/users/42//")]
    [InlineData("users/42")]
    [InlineData("/users/42?x=1")]
    [InlineData("/users/42/?x=/a/b")]
    public void Match_TrailingSlashAndQuery_AreIgnored(string path)
    {
        Assert.Equal("42", Table("GET /users/{id}").Match("GET", path)!.PathParameters["id"]);
    }

    [Fact]
    public void Match_Root_MatchesSlashAndEmpty()
    {
        var table = Table("GET /");

        Assert.Equal("GET /", KeyOf(table, "GET", "/"));
        Assert.Equal("GET /", KeyOf(table, "GET", ""));
        Assert.Null(KeyOf(table, "GET", "/x"));
    }

    [Fact]
    public void Match_EmptySegment_DoesNotMatchAParameter()
    {
        var table = Table("GET /a/{x}/b", "GET /p/{rest+}");

        Assert.Null(KeyOf(table, "GET", "/a//b"));
        Assert.Equal("x//y", table.Match("GET", "/p/x//y")!.PathParameters["rest"]);
    }

    [Fact]
    public void Match_LiteralRoute_HasNoParameters()
    {
        Assert.Empty(Table("GET /a/b").Match("GET", "/a/b")!.PathParameters);
    }

    [Fact]
    public void Match_Literals_AreCaseSensitive()
    {
        Assert.Null(KeyOf(Table("GET /Users"), "GET", "/users"));
    }

    [Fact]
    public void Match_ManySegments_AreAllCapturedByAGreedyParameter()
    {
        var rest = string.Join('/', Enumerable.Range(0, 100));

        Assert.Equal(rest, Table("GET /deep/{rest+}").Match("GET", "/deep/" + rest)!.PathParameters["rest"]);
        Assert.Null(Table("GET /deep/{x}").Match("GET", "/deep/" + rest));
    }

    [Fact]
    public void Match_NoRoute_IsNull()
    {
        var table = Table("GET /a");

        Assert.Null(table.Match("GET", "/b"));
        Assert.Null(table.Match("GET", "/a/b"));
        Assert.False(table.IsEmpty);
    }

    [Fact]
    public void IsEmpty_WithoutRoutes_IsTrue()
    {
        var table = new FunctionRouteTable([]);

        Assert.True(table.IsEmpty);
        Assert.Null(table.Match("GET", "/"));
    }

    [Fact]
    public void Constructor_SameRouteTwice_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Table("GET /users/{id}", "GET /users/{name}"));

        Assert.StartsWith("duplicate route: GET /users/{name} () matches the same requests as GET /users/{id} ()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadPath_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Table("GET /a/{x"));

        Assert.StartsWith("'/a/{x' () is not a route path: ", ex.Message, StringComparison.Ordinal);
    }
}
