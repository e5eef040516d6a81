using Shoal.Functions.Events;

namespace Shoal.Functions.Tests.Events;

public sealed class EventBodyTests
{
    [Theory]
    [InlineData("text/html", true)]
    [InlineData("TEXT/CSV; charset=utf-8", true)]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/xml", true)]
    [InlineData("application/atom+xml", true)]
    [InlineData("application/x-www-form-urlencoded", true)]
    [InlineData("application/javascript", true)]
    [InlineData("application/octet-stream", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    [InlineData("image/png", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsText_RecognisesTextMediaTypes(string? contentType, bool expected)
    {
        Assert.Equal(expected, EventBody.IsText(contentType));
    }
}
