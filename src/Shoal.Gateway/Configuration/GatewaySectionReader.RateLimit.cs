using Shoal.Configuration;
using Shoal.Gateway.RateLimiting;
using Shoal.Gateway.Redis;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Gateway.Configuration;

/// <summary><c>rate_limit:</c> (under a service, under <c>gateway:</c>, and per route pattern) and the check of every <c>redis:</c> name.</summary>
public sealed partial class GatewaySectionReader
{
    private static readonly string[] s_rateLimitKeys = ["algorithm", "limit", "window", "burst", "key", "store", "redis", "on_store_failure", "routes"];

    private static readonly Dictionary<string, RateLimitAlgorithm> s_algorithms = new(StringComparer.Ordinal)
    {
        ["fixed_window"] = RateLimitAlgorithm.FixedWindow,
        ["sliding_window"] = RateLimitAlgorithm.SlidingWindow,
        ["token_bucket"] = RateLimitAlgorithm.TokenBucket,
    };

    private static readonly Dictionary<string, StoreKind> s_stores = new(StringComparer.Ordinal) { ["local"] = StoreKind.Local, ["redis"] = StoreKind.Redis };

    private static readonly Dictionary<string, StoreFailureMode> s_failureModes = new(StringComparer.Ordinal) { ["open"] = StoreFailureMode.Open, ["closed"] = StoreFailureMode.Closed };

    /// <summary>A <c>rate_limit:</c> mapping of <paramref name="parent"/>, or null when there is none.</summary>
    private static RateLimitSettings? ReadRateLimit(YamlFields parent, List<RedisReference> redis)
    {
        var r = parent.GetMap("rate_limit", s_rateLimitKeys);
        return r is null ? null : ReadRateLimitFields(r, new RateLimitSettings(), redis, routes: true);
    }

    /// <summary>The fields of one limit; those it does not set come from <paramref name="baseline"/> (a route's from its service's).</summary>
    private static RateLimitSettings ReadRateLimitFields(YamlFields r, RateLimitSettings baseline, List<RedisReference> redis, bool routes)
    {
        var settings = new RateLimitSettings
        {
            Algorithm = ReadChoice(r, "algorithm", s_algorithms) ?? baseline.Algorithm,
            Limit = r.GetInt("limit", 1, 10_000_000) ?? baseline.Limit,
            Window = r.GetDuration("window", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)) ?? baseline.Window,
            Burst = r.GetInt("burst", 1, 10_000_000) ?? baseline.Burst,
            Key = r.GetString("key") ?? baseline.Key,
            Store = ReadChoice(r, "store", s_stores) ?? baseline.Store,
            Redis = r.GetString("redis") ?? baseline.Redis,
            OnStoreFailure = ReadChoice(r, "on_store_failure", s_failureModes) ?? baseline.OnStoreFailure,
        };

        if (r.Get("key") is { } keyNode && RateLimitKeys.Problem(settings.Key) is { } keyProblem)
        {
            r.Errors.Add(keyNode, r.FieldPath("key"), keyProblem);
        }

        if (r.Get("burst") is { } burst && settings.Algorithm != RateLimitAlgorithm.TokenBucket)
        {
            r.Errors.Add(burst, r.FieldPath("burst"), "burst is the bucket size of algorithm: token_bucket; a window algorithm admits at most 'limit' per window");
        }

        CheckStore(r, settings.Store, settings.Redis, redis);
        if (routes && r.Get("routes") is { } routesNode)
        {
            settings = settings with { Routes = ReadRouteLimits(r, routesNode, settings, redis) };
        }
        else if (!routes && r.Get("routes") is { } nested)
        {
            r.Errors.Add(nested, r.FieldPath("routes"), "a route's limit cannot have routes of its own");
        }

        return settings;
    }

    private static Dictionary<string, RateLimitSettings> ReadRouteLimits(YamlFields r, YamlNode node, RateLimitSettings service, List<RedisReference> redis)
    {
        var result = new Dictionary<string, RateLimitSettings>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            r.Errors.Add(node, r.FieldPath("routes"), $"expected a mapping of route patterns (such as /api/login or /api/**) to limits, got {YamlFields.Describe(node)}");
            return result;
        }

        foreach (var (key, value) in map.Children)
        {
            var pattern = (key as YamlScalarNode)?.Value ?? string.Empty;
            var path = $"{r.FieldPath("routes")}.{pattern}";
            if (!pattern.StartsWith('/') || YamlFields.ControlCharacter(pattern) is not null || pattern.Contains('"', StringComparison.Ordinal))
            {
                r.Errors.Add(key, path, $"'{YamlFields.Printable(pattern)}' is not a route pattern: use an absolute path such as /api/login (exact) or /api/** (prefix)");
                continue;
            }

            if (value is not YamlMappingNode limit)
            {
                r.Errors.Add(value, path, $"expected a mapping of limit fields (limit, window, …), got {YamlFields.Describe(value)}");
                continue;
            }

            result[pattern] = ReadRateLimitFields(new YamlFields(limit, path, r.Errors, s_rateLimitKeys), service, redis, routes: false);
        }

        return result;
    }

    /// <summary>A <c>store:</c> of redis needs a <c>redis:</c>, which is remembered for the check that its name exists.</summary>
    private static void CheckStore(YamlFields f, StoreKind store, string? reference, List<RedisReference> redis)
    {
        var node = f.Get("redis");
        if (store == StoreKind.Redis && reference is null)
        {
            f.Errors.Add(f.Get("store") ?? f.Node, f.FieldPath("store"), "store: redis needs 'redis:', the name of a redis service of this stack (redis: cache) or an address (redis: \"127.0.0.1:6379\")");
        }
        else if (store != StoreKind.Redis && node is not null)
        {
            f.Errors.Add(node, f.FieldPath("redis"), "'redis:' is used with store: redis only (did you mean to add store: redis?)");
        }
        else if (node is not null && reference is not null)
        {
            redis.Add(new RedisReference(reference, f.FieldPath("redis"), (int)node.Start.Line, (int)node.Start.Column));
        }
    }

    /// <summary>One of <paramref name="names"/>; an unknown value is reported with the closest name.</summary>
    private static T? ReadChoice<T>(YamlFields f, string key, Dictionary<string, T> names)
        where T : struct
    {
        if (f.Get(key) is YamlScalarNode { Value: { } text } node && !names.ContainsKey(text))
        {
            var hint = Closest(text, names.Keys);
            f.Errors.Add(node, f.FieldPath(key), $"unknown value '{YamlFields.Printable(text)}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected one of {string.Join(", ", names.Keys)}");
            return null;
        }

        return f.GetEnum(key, names);
    }

    /// <summary>The known name nearest <paramref name="text"/> (same letters once '-' and case are set aside, or a shared start), or null.</summary>
    private static string? Closest(string text, IEnumerable<string> known)
    {
        var normal = text.Replace('-', '_').ToLowerInvariant();
        return known.FirstOrDefault(k => k == normal)
            ?? known.FirstOrDefault(k => normal.Length >= 3 && (k.StartsWith(normal[..3], StringComparison.Ordinal) || k.Contains(normal, StringComparison.Ordinal)));
    }

    /// <summary>Every <c>redis:</c> that names a service must name one of this stack's.</summary>
    private static void CheckRedisReferences(StackCheckContext context)
    {
        var names = context.Services.Select(s => s.Name).ToList();
        var references = context.Sections.Get<GatewayDefinition>().RedisReferences
            .Concat(context.Services.SelectMany(s => s.Sections.Get<ServiceRouting>().RedisReferences));
        foreach (var reference in references.Where(r => !r.IsAddress && !names.Contains(r.Name, StringComparer.Ordinal)))
        {
            var hint = names.FirstOrDefault(n => n.Contains(reference.Name, StringComparison.OrdinalIgnoreCase) || reference.Name.Contains(n, StringComparison.OrdinalIgnoreCase));
            context.Errors.Add(new Mark(0, reference.Line, reference.Column), reference.Field,
                $"no service named '{YamlFields.Printable(reference.Name)}' in this stack{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; name a redis service of the stack or give an address such as \"127.0.0.1:6379\"");
        }
    }
}
