using Shoal.Hosting.Dashboard;

namespace Shoal.Hosting.Tests.Dashboard;

public sealed class DashboardPathsTests
{
    [Theory]
    [InlineData("/..%2f")]
    [InlineData("/%2e%2e/")]
    [InlineData("/ui/.%2E/app.css")]
    [InlineData("/ui/%2e./app.css")]
    [InlineData("/ui/../app.css")]
    [InlineData("/ui/./app.css")]
    [InlineData("/ui/js%2Fapp.js")]
    [InlineData("/ui/js%5capp.js")]
    [InlineData("/ui/js\\app.js")]
    [InlineData("/ui/%252e%252e/app.css")]
    public void IsTraversal_DotSegmentsOrEncodedSlashes_AreTraversal(string raw) =>
        Assert.True(DashboardPaths.IsTraversal(raw));

    [Theory]
    [InlineData("/")]
    [InlineData("/ui/js/app.js")]
    [InlineData("/ui/vendor/uPlot.iife.min.js")]
    [InlineData("/ui/a..b.js")]
    public void IsTraversal_PlainPaths_AreNot(string raw) =>
        Assert.False(DashboardPaths.IsTraversal(raw));

    [Fact]
    public void Assets_EmbedThePageItsScriptsAndTheVendoredChartLibraryWithItsLicence()
    {
        var files = DashboardAssets.Files;

        Assert.Equal("text/html; charset=utf-8", files["index.html"].ContentType);
        Assert.Equal("text/javascript; charset=utf-8", files["js/app.js"].ContentType);
        Assert.Contains("v1.6.32", System.Text.Encoding.UTF8.GetString(files["vendor/uPlot.iife.min.js"].Content), StringComparison.Ordinal);
        Assert.Contains("MIT", System.Text.Encoding.UTF8.GetString(files["vendor/uPlot.LICENSE.txt"].Content), StringComparison.Ordinal);
        Assert.Equal(files.Count, files.Values.Select(f => f.ETag).Distinct().Count());
    }
}
