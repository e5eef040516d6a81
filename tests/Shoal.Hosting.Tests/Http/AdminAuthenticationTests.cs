using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Http;

namespace Shoal.Hosting.Tests.Http;

public sealed class AdminAuthenticationTests
{
    private const string Token = "the-admin-token-0123456789";
    private const string OperatorToken = "the-operator-token-0123456789";

    private static async Task<(int Status, AdminRole? Role, HttpContext Context)> SendAsync(string method, string path, string? authorization = null, bool socket = false, AdminAccessOptions? options = null)
    {
        var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var app = new ApplicationBuilder(services);
        AdminRole? seen = null;
        app.UseAdminAuthentication(options ?? new AdminAccessOptions { Token = Token, OperatorToken = OperatorToken });
        app.Run(context =>
        {
            seen = AdminAuthentication.RoleOf(context);
            return Task.CompletedTask;
        });
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        if (!socket)
        {
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
        }

        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        await app.Build()(context);
        return (context.Response.StatusCode, seen, context);
    }

    [Theory]
    [InlineData("GET", "/v1/stack")]
    [InlineData("GET", "/v1/services")]
    [InlineData("GET", "/v1/services/app/deployments")]
    [InlineData("PUT", "/v1/stack/services/app/replicas")]
    [InlineData("POST", "/v1/stack/shutdown")]
    [InlineData("GET", "/healthz/more")]
    [InlineData("POST", "/healthz")]
    [InlineData("GET", "/metrics")]
    public async Task Request_WithoutToken_Is401ProblemWithBearerChallenge(string method, string path)
    {
        var (status, role, context) = await SendAsync(method, path);

        Assert.Equal(401, status);
        Assert.Null(role);
        Assert.Equal("Bearer realm=\"shoal-admin\"", context.Response.Headers.WWWAuthenticate.ToString());
        context.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("Unauthorized", problem.RootElement.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("/healthz")]
    public async Task OpenPath_Get_NeedsNoToken(string path)
    {
        var (status, role, _) = await SendAsync("GET", path);

        Assert.Equal(200, status);
        Assert.Equal(AdminRole.Anonymous, role);
    }

    [Theory]
    [InlineData("Bearer " + Token, AdminRole.Admin)]
    [InlineData("Bearer " + OperatorToken, AdminRole.Operator)]
    public async Task Token_GivesItsRole(string authorization, AdminRole expected)
    {
        var (status, role, _) = await SendAsync("POST", "/v1/stack/shutdown", authorization);

        Assert.Equal(200, status);
        Assert.Equal(expected, role);
    }

    [Theory]
    [InlineData("Bearer not-the-token")]
    [InlineData("Bearer " + Token + "x")]
    [InlineData(Token)]
    [InlineData("bearer " + Token)]
    public async Task WrongToken_Is401(string authorization)
    {
        Assert.Equal(401, (await SendAsync("GET", "/v1/stack", authorization)).Status);
    }

    [Fact]
    public async Task UnixSocket_IsTheOperator_WithoutAToken()
    {
        var (status, role, _) = await SendAsync("POST", "/v1/services/app/deployments", socket: true);

        Assert.Equal(200, status);
        Assert.Equal(AdminRole.Operator, role);
    }

    [Fact]
    public async Task Authenticator_ProvesARole_OrRefusesWithItsStatus()
    {
        var options = new AdminAccessOptions
        {
            Token = Token,
            Authenticators =
            [
                context => ValueTask.FromResult(context.Request.Headers.Authorization.ToString() switch
                {
                    "good" => AdminAuthenticationResult.Success(AdminRole.Invoker),
                    "bad" => AdminAuthenticationResult.Fail(403, "bad signature"),
                    _ => AdminAuthenticationResult.NotApplicable,
                }),
            ],
        };

        Assert.Equal((200, AdminRole.Invoker), Pick(await SendAsync("POST", "/invoke", "good", options: options)));
        Assert.Equal((403, (AdminRole?)null), Pick(await SendAsync("POST", "/invoke", "bad", options: options)));
        Assert.Equal((401, (AdminRole?)null), Pick(await SendAsync("POST", "/invoke", "other", options: options)));
        Assert.Equal((200, AdminRole.Admin), Pick(await SendAsync("POST", "/invoke", "Bearer " + Token, options: options)));

        static (int, AdminRole?) Pick((int Status, AdminRole? Role, HttpContext _) r) => (r.Status, r.Role);
    }

    [Fact]
    public void NewToken_Is32RandomBytesInBase64Url()
    {
        var a = AdminAuthentication.NewToken();
        var b = AdminAuthentication.NewToken();

        Assert.Equal(43, a.Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", a);
        Assert.NotEqual(a, b);
    }
}
