using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// One stack for the event and log tests: a bash service with two replicas that print a numbered line every 200 ms,
/// and the bash sample function behind <c>/echo</c>.
/// </summary>
public sealed class EventsStack : IAsyncLifetime
{
    public TestStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var stack = TestStack.Create("""
            name: ev
            gateway:
              listen: %gateway%
              admin: %admin%
            functions:
              janitor_interval: 200ms
            services:
              ticker:
                command: [bash, -c, "echo booted $SHOAL_INSTANCE_ID; n=0; while true; do n=$$((n+1)); echo tick $$n; sleep 0.2; done"]
                replicas: 2
                restart: { backoff: 100ms }
            """);
        Stack = await FunctionStacks.UpAsync(stack, FunctionStacks.Bash("echo"), "routes:\n  - { path: /echo, function: echo }\n");
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();

    /// <summary>Reads <c>GET /v1/events{query}</c> in the background into a list, until disposed.</summary>
    public Subscription Subscribe(string query, string? lastEventId = null) => new(Stack.AdminClient, query, lastEventId);

    public sealed class Subscription : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;

        public Subscription(HttpClient admin, string query, string? lastEventId)
        {
            _reading = Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events" + query);
                if (lastEventId is not null)
                {
                    request.Headers.Add("Last-Event-ID", lastEventId);
                }

                using var response = await admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                response.EnsureSuccessStatusCode();
                ContentType = response.Content.Headers.ContentType?.MediaType;
                await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
                await foreach (var item in SseParser.Create(body).EnumerateAsync(_stop.Token))
                {
                    Items.Enqueue(item);
                }
            });
        }

        public ConcurrentQueue<SseItem<string>> Items { get; } = new();

        public string? ContentType { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _reading;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }
}
