using System.Globalization;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Shoal.Samples.Shared;

/// <summary>Reads the Redis address a stack injects.</summary>
public static class RedisUrl
{
    /// <summary>
    /// The Redis to use: <c>REDIS_URL</c> (<c>redis://[user:pass@]host:port[/db]</c>, <c>rediss://</c> for TLS), else
    /// <c>ConnectionStrings:NAME</c> for <paramref name="name"/> (<c>host:port</c>, as a stack injects it); null when neither is set.
    /// </summary>
    public static ConfigurationOptions? FromConfiguration(IConfiguration configuration, string name)
    {
        var value = configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(value))
        {
            value = configuration.GetConnectionString(name);
        }

        return string.IsNullOrWhiteSpace(value) ? null : Parse(value);
    }

    /// <summary>
    /// Options for a <c>redis://</c> URL or a StackExchange.Redis configuration string. A sample must keep answering while
    /// Redis is away: no abort on the first failed connect, and commands fail at once instead of queueing.
    /// </summary>
    public static ConfigurationOptions Parse(string value)
    {
        ConfigurationOptions options;
        if (value.StartsWith("redis://", StringComparison.Ordinal) || value.StartsWith("rediss://", StringComparison.Ordinal))
        {
            var uri = new Uri(value);
            options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
            var userInfo = uri.UserInfo.Split(':', 2);
            if (userInfo.Length == 2)
            {
                options.User = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null;
                options.Password = Uri.UnescapeDataString(userInfo[1]);
            }

            if (int.TryParse(uri.AbsolutePath.TrimStart('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                options.DefaultDatabase = database;
            }
        }
        else
        {
            options = ConfigurationOptions.Parse(value);
        }

        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 2000;
        options.SyncTimeout = 2000;
        return options;
    }
}
