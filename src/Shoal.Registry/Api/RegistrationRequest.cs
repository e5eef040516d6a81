using System.Text.RegularExpressions;
using Shoal.Catalog;
using Shoal.Registry.Client;
using Shoal.Text;

namespace Shoal.Registry.Api;

/// <summary>Turns a registration body into a <see cref="Registration"/>, or says every field that is wrong.</summary>
public static partial class RegistrationRequest
{
    /// <summary>The longest TTL or deregister-after accepted.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    /// <summary>Checks a service name and an instance id as they appear in a path.</summary>
    public static IEnumerable<string> NameProblems(string service, string id)
    {
        if (!ServiceName().IsMatch(service))
        {
            yield return $"service: '{service}' is not a service name (lower-case letters, digits and '-', starting with a letter, at most 63)";
        }

        if (id.Contains('/', StringComparison.Ordinal) || id.Contains("%2F", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"id: '{id}' contains '/'; an instance id is letters, digits, '.', '_', ':', '@' and '-'";
        }
        else if (!InstanceId().IsMatch(id))
        {
            yield return $"id: '{id}' is not an instance id (letters, digits, '.', '_', ':', '@' and '-', at most 128)";
        }
    }

    /// <summary>Validates <paramref name="body"/> for <paramref name="service"/>/<paramref name="id"/>.</summary>
    public static (Registration? Registration, List<string> Problems) Read(string service, string id, InstanceRegistration body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(body);
        var problems = NameProblems(service, id).ToList();
        if (string.IsNullOrWhiteSpace(body.Address) || Uri.CheckHostName(body.Address) == UriHostNameType.Unknown)
        {
            problems.Add($"address: '{body.Address}' is not a host name or IP address");
        }

        if (body.Port is < 1 or > 65535)
        {
            problems.Add($"port: {body.Port} is not a port; use 1 to 65535");
        }

        if (body.Weight is < 0 or > 10_000)
        {
            problems.Add($"weight: {body.Weight} is out of range; use 0 to 10000");
        }

        if (body.Version is { Length: 0 or > 64 })
        {
            problems.Add("version: give 1 to 64 characters");
        }

        if (body.Metadata is { Count: > 64 } || body.Metadata?.Any(kv => kv.Key.Length is 0 or > 128 || kv.Value is null || kv.Value.Length > 1024) == true)
        {
            problems.Add("metadata: at most 64 entries, keys of 1 to 128 characters, text values (not null) of at most 1024");
        }

        InstanceHealth? health = body.Health switch
        {
            null or "passing" => InstanceHealth.Passing,
            "warning" => InstanceHealth.Warning,
            "critical" => InstanceHealth.Critical,
            _ => null,
        };
        if (health is null)
        {
            problems.Add($"health: '{body.Health}' is not passing, warning or critical");
        }

        var ttl = Duration("ttl", body.Ttl, TimeSpan.FromSeconds(1), problems);
        var deregisterAfter = Duration("deregister_after", body.DeregisterAfter, TimeSpan.Zero, problems);
        if (deregisterAfter is not null && ttl is null)
        {
            problems.Add("deregister_after: needs a ttl; without one the instance never expires");
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var instance = new ServiceInstance
        {
            Service = service,
            Id = id,
            Address = body.Address,
            Port = body.Port,
            Version = body.Version ?? "1",
            Weight = body.Weight ?? 1,
            Metadata = body.Metadata ?? [],
            Health = health!.Value,
            Draining = body.Draining ?? false,
            RegisteredAt = now,
        };
        return (new Registration(instance, ttl, deregisterAfter), problems);
    }

    /// <summary>The API's view of an entry.</summary>
    public static RegisteredInstance Describe(RegistryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var i = entry.Instance;
        return new RegisteredInstance
        {
            Service = i.Service,
            Id = i.Id,
            Address = i.Address,
            Port = i.Port,
            Version = i.Version,
            Weight = i.Weight,
            Metadata = new Dictionary<string, string>(i.Metadata),
            Health = i.Health.ToString().ToLowerInvariant(),
            Draining = i.Draining,
            RegisteredAt = i.RegisteredAt,
            Ttl = entry.Registration.Ttl is { } t ? Durations.Format(t) : null,
            DeregisterAfter = entry.Registration.DeregisterAfter is { } d ? Durations.Format(d) : null,
            Pid = i.Pid,
        };
    }

    private static TimeSpan? Duration(string field, string? text, TimeSpan min, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out var value) || text.TrimStart().StartsWith('-'))
        {
            problems.Add($"{field}: '{text}' is not a duration such as 10s or 1m");
            return null;
        }

        if (value < min || value > MaxDuration)
        {
            problems.Add($"{field}: {text} is out of range; use {Durations.Format(min)} to {Durations.Format(MaxDuration)}");
            return null;
        }

        return value;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex ServiceName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")]
    private static partial Regex InstanceId();
}
