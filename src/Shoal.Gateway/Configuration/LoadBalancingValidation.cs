namespace Shoal.Gateway.Configuration;

/// <summary>The checks a load-balancing configuration must pass, shared by <c>shoal.yml</c> and the admin API.</summary>
public static class LoadBalancingValidation
{
    /// <summary>Every problem, as (field, message); empty when the settings are usable.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="knownStrategies">The strategies available, or null to skip that check (plugins not loaded yet).</param>
    public static IEnumerable<(string Field, string Message)> Problems(LoadBalancingSettings settings, IReadOnlyCollection<string>? knownStrategies)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.Strategy))
        {
            yield return ("strategy", "a strategy name is required");
        }
        else if (knownStrategies is not null && !knownStrategies.Contains(settings.Strategy))
        {
            yield return ("strategy", $"unknown strategy '{settings.Strategy}'; known: {string.Join(", ", knownStrategies.Order(StringComparer.Ordinal))}");
        }

        if (settings.HashKey is not null && !Strategies.IsValidHashKey(settings.HashKey))
        {
            yield return ("hash_key", $"'{settings.HashKey}' is not a key source: use header:NAME, cookie:NAME, query:NAME, path or ip");
        }
        else if (settings.Strategy == Strategies.ConsistentHash && settings.HashKey is null)
        {
            yield return ("hash_key", "consistent-hash needs a key source: hash_key: header:NAME, cookie:NAME, query:NAME, path or ip");
        }

        // Written so that NaN fails too: it compares false with everything.
        if (settings.BoundedLoad is { } load && !(load >= 1 && load <= 100))
        {
            yield return ("bounded_load", $"{settings.BoundedLoad} is out of range; allowed 1 to 100 (e.g. 1.25)");
        }

        if (settings.VirtualNodes is < 1 or > 10_000)
        {
            yield return ("virtual_nodes", $"{settings.VirtualNodes} is out of range; allowed 1 to 10000");
        }

        if (string.IsNullOrWhiteSpace(settings.SessionHeader))
        {
            yield return ("session_header", "must name a header");
        }
    }
}
