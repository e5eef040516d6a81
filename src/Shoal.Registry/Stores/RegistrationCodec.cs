using System.Text.Json;
using Shoal.Catalog;

namespace Shoal.Registry.Stores;

/// <summary>How a registration is stored: one JSON document, the same in every store.</summary>
internal static class RegistrationCodec
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Encode(Registration registration)
    {
        var i = registration.Instance;
        return JsonSerializer.Serialize(new Stored(i.Service, i.Id, i.Address, i.Port, i.Version, i.Weight, new Dictionary<string, string>(i.Metadata), i.Health, i.Draining, i.Pid, i.RegisteredAt,
            (long?)registration.Ttl?.TotalMilliseconds, (long?)registration.DeregisterAfter?.TotalMilliseconds), s_json);
    }

    public static Registration Decode(string json)
    {
        var s = JsonSerializer.Deserialize<Stored>(json, s_json) ?? throw new InvalidDataException("an empty registration record");
        var instance = new ServiceInstance
        {
            Service = s.Service,
            Id = s.Id,
            Address = s.Address,
            Port = s.Port,
            Version = s.Version,
            Weight = s.Weight,
            Metadata = s.Metadata,
            Health = s.Health,
            Draining = s.Draining,
            Pid = s.Pid,
            RegisteredAt = s.RegisteredAt,
        };
        return new Registration(instance, Millis(s.TtlMs), Millis(s.DeregisterAfterMs));
    }

    private static TimeSpan? Millis(long? ms) => ms is { } v ? TimeSpan.FromMilliseconds(v) : null;

    private sealed record Stored(
        string Service,
        string Id,
        string Address,
        int Port,
        string Version,
        int Weight,
        Dictionary<string, string> Metadata,
        InstanceHealth Health,
        bool Draining,
        int? Pid,
        DateTimeOffset RegisteredAt,
        long? TtlMs,
        long? DeregisterAfterMs);
}
