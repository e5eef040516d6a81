using Shoal.Hosting.Logs;

namespace Shoal.Hosting.Tests.Logs;

public sealed class LogFilesTests
{
    [Theory]
    [InlineData("web", "web-1", "/s/logs/web-1.log")]
    [InlineData("web", "web-v2-3", "/s/logs/web-v2-3.log")]
    [InlineData("echo", "echo.0a1b", "/s/agent/logs/shop.echo.0a1b.log")]
    [InlineData("echo", "0a1b", "/s/agent/logs/shop.echo.0a1b.log")]
    public void Resolve_ShoalNames_FileInsideTheStateDirectory(string service, string instance, string expected)
    {
        var (path, error) = LogFiles.Resolve("/s", "shop", service, instance);

        Assert.Null(error);
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("../etc", "passwd")]
    [InlineData("web", "../../etc/passwd")]
    [InlineData("web", "..")]
    [InlineData("web", "a/b")]
    [InlineData("web", "")]
    [InlineData(null, "web-1")]
    [InlineData("web", "other.x.y")]
    public void Resolve_NotAShoalName_Error(string? service, string instance)
    {
        var (path, error) = LogFiles.Resolve("/s", "shop", service, instance);

        Assert.Null(path);
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("web-1", "web", true)]
    [InlineData("web-v1.2-4", "web", true)]
    [InlineData("web-api-1", "web", false)]
    [InlineData("web-", "web", false)]
    [InlineData("webx-1", "web", false)]
    public void IsReplicaOf_OwnReplicasOnly(string instance, string service, bool expected) =>
        Assert.Equal(expected, LogFiles.IsReplicaOf(instance, service));
}
