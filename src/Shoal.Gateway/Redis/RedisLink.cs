using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Shoal.Gateway.Redis;

/// <summary>
/// One Redis the gateway talks to, shared by every limit and session table that names it. It never makes a request
/// wait for a dead Redis: while the connection is down a call returns null at once (StackExchange.Redis reconnects in
/// the background), a call that fails or times out (250 ms) returns null too, and the outage is logged once when it
/// begins and once when it ends.
/// </summary>
internal sealed partial class RedisLink : IAsyncDisposable
{
    private const int Unknown = 0, Up = 1, Down = 2;

    private readonly ILogger _logger;
    private readonly Task _connecting;
    private ConnectionMultiplexer? _connection;
    private int _state;

    /// <summary>How long the first requests wait for the first connection (once per gateway and Redis).</summary>
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;

    public RedisLink(string endpoint, ILogger logger, TimeProvider time)
    {
        Endpoint = endpoint.Split(',')[0]; // host:port, never the password that may follow: it is logged
        _logger = logger;
        _time = time;
        var options = new ConfigurationOptions
        {
            EndPoints = { Endpoint },
            Password = ConfigurationOptions.Parse(endpoint).Password,
            AbortOnConnectFail = false,
            ConnectTimeout = (int)s_connectTimeout.TotalMilliseconds,
            AsyncTimeout = 250,
            SyncTimeout = 250,
            ConnectRetry = 1,
            BacklogPolicy = BacklogPolicy.FailFast,
            ReconnectRetryPolicy = new LinearRetry(500),
            ClientName = "shoal-gateway",
        };

        // Started at once; the first requests wait for it at most s_connectTimeout, later ones never.
        _connecting = Task.Run(async () => _connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false));
    }

    public string Endpoint { get; }

    /// <summary>Whether the last call reached Redis.</summary>
    public bool IsUp => Volatile.Read(ref _state) == Up;

    /// <summary>Runs <paramref name="script"/>; null when Redis cannot answer now (the outage is logged once).</summary>
    public async ValueTask<RedisResult?> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] values)
    {
        var connection = _connection ?? await FirstConnectionAsync().ConfigureAwait(false);
        if (connection is null)
        {
            MarkDown("the connection could not be set up");
            return null;
        }

        if (!connection.IsConnected)
        {
            MarkDown("not connected");
            return null;
        }

        try
        {
            var database = connection.GetDatabase();
            RedisResult result;
            try
            {
                script.Sha ??= await connection.GetServers()[0].ScriptLoadAsync(script.Text).ConfigureAwait(false);
                result = await database.ScriptEvaluateAsync(script.Sha, keys, values).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // Redis restarted and lost its script cache: load it again.
                script.Sha = await connection.GetServers()[0].ScriptLoadAsync(script.Text).ConfigureAwait(false);
                result = await database.ScriptEvaluateAsync(script.Sha, keys, values).ConfigureAwait(false);
            }

            MarkUp();
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            MarkDown(ex.Message);
            return null;
        }
    }

    private async ValueTask<ConnectionMultiplexer?> FirstConnectionAsync()
    {
        try
        {
            await _connecting.WaitAsync(s_connectTimeout, _time).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException)
        {
            // Still connecting, or it failed: the caller treats Redis as away for now.
        }

        return _connection;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _connecting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException)
        {
            // It never connected: nothing to close.
        }

        if (_connection is { } connection)
        {
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            connection.Dispose();
        }
    }

    private void MarkDown(string reason)
    {
        if (Interlocked.Exchange(ref _state, Down) != Down)
        {
            Log.Down(_logger, Endpoint, reason);
        }
    }

    private void MarkUp()
    {
        if (Interlocked.Exchange(ref _state, Up) == Down)
        {
            Log.Back(_logger, Endpoint);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2601, LogLevel.Warning, "Redis {Endpoint} is unreachable ({Reason}): rate limits that use it fail open or closed as configured, session tables fall back to this gateway's memory, until it is back")]
        public static partial void Down(ILogger logger, string endpoint, string reason);

        [LoggerMessage(2602, LogLevel.Information, "Redis {Endpoint} is reachable again")]
        public static partial void Back(ILogger logger, string endpoint);
    }
}
