using System.Net;
using Microsoft.Extensions.Configuration;
using Shoal.Samples.Shared;
using StackExchange.Redis;

namespace Shoal.Samples.Tests.Shared;

public sealed class RedisUrlTests
{
    [Fact]
    public void Parse_UrlWithUserPasswordAndDatabase_TakesEachPart()
    {
        var options = RedisUrl.Parse("redis://app:s%40cret@127.0.0.1:6380/3");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6380), Assert.Single(options.EndPoints));
        Assert.Equal("app", options.User);
        Assert.Equal("s@cret", options.Password);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.False(options.Ssl);
    }

    [Fact]
    public void Parse_HostPortAsAStackInjectsIt_KeepsAnsweringWhileRedisIsAway()
    {
        var options = RedisUrl.Parse("127.0.0.1:6390");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6390), Assert.Single(options.EndPoints));
        Assert.False(options.AbortOnConnectFail);
        Assert.Same(BacklogPolicy.FailFast, options.BacklogPolicy);
    }

    [Fact]
    public void Parse_TlsUrlWithoutPort_DefaultPortAndSsl()
    {
        var options = RedisUrl.Parse("rediss://cache.internal");

        Assert.Equal(new DnsEndPoint("cache.internal", 6379), Assert.Single(options.EndPoints));
        Assert.True(options.Ssl);
    }

    [Fact]
    public void FromConfiguration_RedisUrlOverConnectionString_NeitherMeansNone()
    {
        static IConfiguration Config(params (string Key, string Value)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build();

        var both = RedisUrl.FromConfiguration(Config(("REDIS_URL", "redis://127.0.0.1:7001"), ("ConnectionStrings:cache", "127.0.0.1:7002")), "cache");
        var named = RedisUrl.FromConfiguration(Config(("ConnectionStrings:cache", "127.0.0.1:7002")), "cache");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7001), Assert.Single(both!.EndPoints));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7002), Assert.Single(named!.EndPoints));
        Assert.Null(RedisUrl.FromConfiguration(Config(("REDIS_URL", " ")), "cache"));
    }
}
