using Microsoft.AspNetCore.Mvc;
using Shoal.Http;
using Shoal.Json;

namespace Shoal.Hosting.Tests.Json;

public sealed class ProblemTypesTests
{
    [Theory]
    [InlineData(400, "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1")]
    [InlineData(404, "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5")]
    [InlineData(409, "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10")]
    [InlineData(413, "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14")]
    [InlineData(503, "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4")]
    [InlineData(429, "https://www.rfc-editor.org/rfc/rfc6585#section-4")]
    [InlineData(508, "https://www.rfc-editor.org/rfc/rfc5842#section-7.2")]
    [InlineData(499, "about:blank")]
    public void For_Status_SectionOfItsRfc(int status, string type) => Assert.Equal(type, ProblemTypes.For(status));

    [Fact]
    public void For_SameStatus_SameInstance() => Assert.Same(ProblemTypes.For(404), ProblemTypes.For(404));

    [Fact]
    public void Apply_AspNetDefaults_OneShoalShape()
    {
        var problem = new ProblemDetails { Status = 404, Type = "https://tools.ietf.org/html/rfc9110#section-15.5.5", Title = "Unknown service", Detail = "no 'x'" };
        problem.Extensions["traceId"] = "00-abc";

        ShoalProblemDetails.Apply(problem);

        Assert.Equal(ProblemTypes.For(404), problem.Type);
        Assert.Equal("no 'x'", problem.Detail);
        Assert.Empty(problem.Extensions);
    }

    [Fact]
    public void Apply_ServerError_DetailAndExceptionRemoved()
    {
        var problem = new ProblemDetails { Status = 500, Detail = "at /root/secret.cs" };
        problem.Extensions["exception"] = "trace";

        ShoalProblemDetails.Apply(problem);

        Assert.Null(problem.Detail);
        Assert.Empty(problem.Extensions);
    }
}
