using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shoal.Http;

namespace Shoal.Hosting.Tests;

/// <summary>The admin listener's trust, on real sockets: the owner's Unix socket needs no token, TCP does.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class AdminSocketTests : IAsyncLifetime
{
    private const string Token = "the-admin-token-0123456789";
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-admin-").FullName;
    private WebApplication _app = null!;
    private Uri _tcp = null!;

    private string Socket => AdminSocket.PathIn(_directory);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0", AdminSocket.Url(Socket));
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(AdminSocket.Guard));
        builder.Services.AddShoalProblemDetails();
        _app = builder.Build();
        _app.UseAdminAuthentication(new AdminAccessOptions { Token = Token });
        _app.MapGet("/v1/who", (HttpContext context) => AdminAuthentication.RoleOf(context).ToString());
        await _app.StartAsync(CancellationToken.None);
        AdminSocket.Protect(Socket);
        _tcp = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("http://127.", StringComparison.Ordinal)));
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        AdminSocket.Remove(Socket);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Socket_OwnUser_ServedAsOperatorWithoutToken()
    {
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = (_, ct) => AdminSocket.ConnectAsync(Socket, ct) }) { BaseAddress = new Uri("http://localhost") };

        var answer = await http.GetStringAsync("/v1/who", CancellationToken.None);

        Assert.Equal("Operator", answer);
    }

    [Fact]
    public void Protect_SocketFile_IsOwnerOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Socket));
    }

    [Fact]
    public async Task Tcp_WithoutToken_Refused401WithShoalProblem()
    {
        using var http = new HttpClient { BaseAddress = _tcp };

        using var response = await http.GetAsync("/v1/who", CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
        Assert.Equal("https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Unauthorized", problem.RootElement.GetProperty("title").GetString());
        Assert.False(problem.RootElement.TryGetProperty("traceId", out _));
    }

    [Fact]
    public async Task Tcp_WithAdminToken_ServedAsAdmin()
    {
        using var http = new HttpClient { BaseAddress = _tcp };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);

        var answer = await http.GetStringAsync("/v1/who", CancellationToken.None);

        Assert.Equal("Admin", answer);
    }

    [Fact]
    public void Url_StaleSocketFile_RemovedFirst()
    {
        var stale = Path.Combine(_directory, "stale.sock");
        File.WriteAllText(stale, "");

        Assert.Equal("http://unix:" + stale, AdminSocket.Url(stale));
        Assert.False(File.Exists(stale));
    }
}
