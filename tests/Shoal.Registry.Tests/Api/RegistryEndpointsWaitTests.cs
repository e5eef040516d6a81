using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Catalog;
using Shoal.Registry.Api;
using Shoal.Registry.Stores;
using Shoal.Testing;

namespace Shoal.Registry.Tests.Api;

/// <summary>A blocking query and a long-polled watch wait on the injected clock: nothing changes, so they answer when the wait runs out.</summary>
public sealed class RegistryEndpointsWaitTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private readonly TimerCountingTimeProvider _time = new();
    private readonly int _port = FreePort.Next();
    private RegistryCatalog? _catalog;
    private WebApplication? _server;
    private HttpClient? _http;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("shoal-reg-").FullName, "registry.db");
        _catalog = new RegistryCatalog(new SqliteRegistryStore(path, _time), RegistryCatalog.OwnerFor("test", "host"), _time, NullLogger.Instance);
        await _catalog.StartAsync(CancellationToken.None);
        await _catalog.UpsertAsync(new ServiceInstance { Service = "app", Id = "app-1", Port = 5001, RegisteredAt = _time.GetUtcNow() });
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _server = builder.Build();
        _server.MapRegistryEndpoints(_catalog, _time);
        await _server.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_catalog is not null)
        {
            await _catalog.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("/v1/services/app?index={0}&wait=30s")]
    [InlineData("/v1/services/app/watch?index={0}&wait=30s")]
    public async Task Wait_WithNoChange_AnswersWhenTheWaitRunsOutOnTheInjectedClock(string template)
    {
        var index = _catalog!.Current.Index;
        var timers = _time.TimersCreatedFor(s_wait);

        var answer = _http!.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, index));
        await _time.WaitForTimersAsync(timers + 1, "the request's wait", s_wait);
        _time.Advance(s_wait - TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.False(answer.IsCompleted, "answered before the wait ran out");

        _time.Advance(TimeSpan.FromSeconds(1));
        using var response = await answer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
