using System.Text.Json;
using Shoal.Catalog;
using Shoal.Json;
using Shoal.Orchestration.Admin;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Hosting.Tests.Json;

public sealed class ShoalJsonTests
{
    private static readonly StackSnapshot s_stack = new("demo",
    [
        new ServiceSnapshot("api", 1,
        [
            new ReplicaSnapshot { Service = "api", Id = "api-1", Pid = 42, Port = 5000, State = ReplicaState.Healthy, Health = InstanceHealth.Passing, StartedAt = DateTimeOffset.UnixEpoch, LastExitCode = 3 },
        ]),
    ]);

    [Fact]
    public void StackSnapshot_Serialized_SnakeCaseNamesAndValues()
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(s_stack, StackJson.Options));

        var replica = json.RootElement.GetProperty("services")[0].GetProperty("replicas")[0];
        Assert.Equal("healthy", replica.GetProperty("state").GetString());
        Assert.Equal("passing", replica.GetProperty("health").GetString());
        Assert.Equal(3, replica.GetProperty("last_exit_code").GetInt32());
        Assert.True(replica.TryGetProperty("started_at", out _));
        Assert.False(replica.TryGetProperty("message", out _));
        Assert.True(json.RootElement.TryGetProperty("is_healthy", out _));
    }

    [Fact]
    public void StackSnapshot_RoundTrip_TheCliReadsWhatTheDaemonWrites()
    {
        var back = JsonSerializer.Deserialize<StackSnapshot>(JsonSerializer.Serialize(s_stack, StackJson.Options), StackJson.Options)!;

        var replica = Assert.Single(Assert.Single(back.Services).Replicas);
        Assert.Equal(ReplicaState.Healthy, replica.State);
        Assert.Equal(42, replica.Pid);
        Assert.Equal(DateTimeOffset.UnixEpoch, replica.StartedAt);
    }

    [Fact]
    public void Deserialize_UnknownField_Refused()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Request>("""{"replicas":1,"replika":2}""", ShoalJson.Options));
    }

    [Fact]
    public void Options_NullsWritten_SparseLeavesThemOut()
    {
        Assert.Equal("""{"replicas":null}""", JsonSerializer.Serialize(new Request(null), ShoalJson.Options));
        Assert.Equal("{}", JsonSerializer.Serialize(new Request(null), ShoalJson.Sparse));
    }

    private sealed record Request(int? Replicas);
}
