using Shoal.Functions.Agent.Instances;

namespace Shoal.Functions.Tests.Agent;

public sealed class PathSecretTests
{
    private readonly PathSecret _secret = new();

    [Fact]
    public void Value_Is160RandomBitsInHex_DifferentEachTime()
    {
        Assert.Matches("^[0-9a-f]{40}$", _secret.Value);
        Assert.NotEqual(_secret.Value, new PathSecret().Value);
    }

    [Fact]
    public void TryStrip_TheSecretAsFirstSegment_GivesTheRestWithItsSlash()
    {
        Assert.True(_secret.TryStrip($"/{_secret.Value}/2018-06-01/runtime/invocation/next", out var rest));
        Assert.Equal("/2018-06-01/runtime/invocation/next", rest);
        Assert.True(_secret.TryStrip($"/{_secret.Value}/", out rest));
        Assert.Equal("/", rest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/2018-06-01/runtime/invocation/next")]
    [InlineData("//2018-06-01/runtime/invocation/next")]
    public void TryStrip_PathsWithoutTheSecret_AreRefused(string path)
    {
        Assert.False(_secret.TryStrip(path, out var rest));
        Assert.Equal("", rest);
    }

    [Fact]
    public void TryStrip_NearMisses_AreRefused()
    {
        var value = _secret.Value;
        string[] misses =
        [
            "/" + value,
            $"/{value[..^1]}/x",
            $"/{value}0/x",
            $"/0{value}/x",
            $"/{value.ToUpperInvariant()}/x",
            $"/{(value[0] == 'a' ? 'b' : 'a')}{value[1..]}/x",
            $"x/{value}/x",
            $"/{new PathSecret().Value}/x",
        ];
        Assert.All(misses, path => Assert.False(_secret.TryStrip(path, out _), path));
    }
}
