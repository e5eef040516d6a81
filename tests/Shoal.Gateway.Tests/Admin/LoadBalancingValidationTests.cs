using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Tests.Admin;

public sealed class LoadBalancingValidationTests
{
    [Theory]
    [InlineData("nope", null, null, "strategy: unknown strategy 'nope'; known: consistent-hash, ip-hash, least-requests, power-of-two, random, round-robin, session, weighted")]
    [InlineData("consistent-hash", null, null, "hash_key: consistent-hash needs a key source: hash_key: header:NAME, cookie:NAME, query:NAME, path or ip")]
    [InlineData("consistent-hash", "body:x", null, "hash_key: 'body:x' is not a key source: use header:NAME, cookie:NAME, query:NAME, path or ip")]
    [InlineData("consistent-hash", "header:", null, "hash_key: 'header:' is not a key source: use header:NAME, cookie:NAME, query:NAME, path or ip")]
    [InlineData("consistent-hash", "path", 0.5, "bounded_load: 0.5 is out of range; allowed 1 to 100 (e.g. 1.25)")]
    public void Problems_NameTheFieldAndWhatIsAllowed(string strategy, string? hashKey, double? boundedLoad, string expected)
    {
        var settings = new LoadBalancingSettings { Strategy = strategy, HashKey = hashKey, BoundedLoad = boundedLoad };

        var problems = LoadBalancingValidation.Problems(settings, Strategies.BuiltIn).Select(p => $"{p.Field}: {p.Message}");

        Assert.Equal([expected], problems);
    }

    [Fact]
    public void Problems_ValidSettings_None()
    {
        Assert.Empty(LoadBalancingValidation.Problems(new LoadBalancingSettings { Strategy = "consistent-hash", HashKey = "ip", BoundedLoad = 1.25 }, Strategies.BuiltIn));
    }
}
