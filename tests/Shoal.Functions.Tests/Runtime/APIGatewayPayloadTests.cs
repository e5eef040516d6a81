using System.Text;
using Shoal.Functions.Runtime.APIGateway;

namespace Shoal.Functions.Tests.Runtime;

public sealed class APIGatewayPayloadTests
{
    [Theory]
    [InlineData("""{"version":"2.0","rawPath":"/"}""", true)]
    [InlineData("""{"requestContext":{"version":"1.0"},"headers":{"version":"x"},"version":"2.0"}""", true)]
    [InlineData("""{"version":"1.0","path":"/"}""", false)]
    [InlineData("""{"resource":"/","path":"/","httpMethod":"GET"}""", false)]
    [InlineData("""{"version":2.0}""", false)]
    [InlineData("""[]""", false)]
    public void IsHttpApiV2_TopLevelVersion_DecidesTheFormat(string json, bool expected) =>
        Assert.Equal(expected, APIGatewayPayload.IsHttpApiV2(Encoding.UTF8.GetBytes(json)));
}
