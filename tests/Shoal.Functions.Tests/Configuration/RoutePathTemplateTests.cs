using Shoal.Functions.Configuration;

namespace Shoal.Functions.Tests.Configuration;

public sealed class RoutePathTemplateTests
{
    [Fact]
    public void TryParse_LiteralsParametersAndGreedy_AreSegments()
    {
        Assert.True(RoutePathTemplate.TryParse("/users/{id}/files/{proxy+}", out var segments, out _));

        Assert.Equal(
            [
                new RouteSegment(RouteSegmentKind.Literal, "users"),
                new RouteSegment(RouteSegmentKind.Parameter, "id"),
                new RouteSegment(RouteSegmentKind.Literal, "files"),
                new RouteSegment(RouteSegmentKind.Greedy, "proxy"),
            ],
            segments);
    }

    [Fact]
    public void TryParse_Root_HasNoSegments()
    {
        Assert.True(RoutePathTemplate.TryParse("/", out var segments, out _));

        Assert.Empty(segments);
    }

    [Theory]
    [InlineData("", "a route path starts with '/', e.g. /users/{id}")]
    [InlineData("users", "a route path starts with '/', e.g. /users/{id}")]
    [InlineData("/users/", "a route path does not end with '/' (requests with a trailing '/' match it anyway)")]
    [InlineData("/a//b", "it has an empty segment ('//')")]
    [InlineData("/a/{}", "'{}' is not a parameter: a name uses letters, digits, '_', '-' and '.', e.g. {id} or {proxy+}")]
    [InlineData("/a/{a b}", "'{a b}' is not a parameter: a name uses letters, digits, '_', '-' and '.', e.g. {id} or {proxy+}")]
    [InlineData("/a/x{id}", "'x{id}' mixes text and a parameter: a segment is either literal text or a whole {name}")]
    [InlineData("/{proxy+}/a", "the greedy '{proxy+}' must be the last segment")]
    [InlineData("/{id}/{id}", "the parameter 'id' appears twice")]
    [InlineData("/a b", "' ' is not allowed in a path segment; percent-encode it")]
    [InlineData("/a?b", "'?' is not allowed in a path segment; percent-encode it")]
    public void TryParse_BadPath_SaysWhy(string path, string expected)
    {
        Assert.False(RoutePathTemplate.TryParse(path, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/users/{id}", "/users/{}")]
    [InlineData("/users/{name}", "/users/{}")]
    [InlineData("/files/{proxy+}", "/files/{+}")]
    [InlineData("/caf%C3%A9", "/café")]
    public void ShapeOf_LeavesOutParameterNames(string path, string expected)
    {
        Assert.True(RoutePathTemplate.TryParse(path, out var segments, out _));

        Assert.Equal(expected, RoutePathTemplate.ShapeOf(segments));
    }
}
