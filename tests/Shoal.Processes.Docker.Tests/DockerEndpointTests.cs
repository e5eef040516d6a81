namespace Shoal.Processes.Docker.Tests;

public sealed class DockerEndpointTests
{
    [Theory]
    [InlineData(null, "unix:///var/run/docker.sock")]
    [InlineData("", "unix:///var/run/docker.sock")]
    [InlineData("unix:///tmp/d/docker.sock", "unix:///tmp/d/docker.sock")]
    [InlineData("tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375")]
    public void Resolve_DockerHost_OrTheDefaultSocket(string? dockerHost, string expected) =>
        Assert.Equal(expected, DockerEndpoint.Resolve(dockerHost).OriginalString);

    [Fact]
    public void Resolve_NotAnAddress_SaysWhatIsWrong()
    {
        var ex = Assert.Throws<ProcessStartException>(() => DockerEndpoint.Resolve("ssh://host"));

        Assert.Equal("runtime 'docker': DOCKER_HOST='ssh://host' is not a unix://, tcp:// or http(s):// address.", ex.Message);
    }
}
