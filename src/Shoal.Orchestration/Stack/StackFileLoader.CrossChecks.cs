using Shoal.Configuration;

namespace Shoal.Orchestration.Stack;

/// <summary>Checks across services: ports nobody else uses, routes served once.</summary>
public static partial class StackFileLoader
{
    private static void CheckPorts(List<ParsedService> services, SectionSet sections, YamlErrors errors)
    {
        // Ports the features listen on themselves (the gateway's listeners) come first: a service cannot take them.
        var taken = new Dictionary<int, string>();
        foreach (var claim in sections.All.OfType<IClaimsPorts>().SelectMany(s => s.ClaimedPorts))
        {
            taken.TryAdd(claim.Port, claim.Owner);
        }

        foreach (var service in services)
        {
            var port = service.Definition.Port;
            if (port.Kind != PortKind.Fixed)
            {
                continue;
            }

            var at = service.Fields.Get("port")!;
            var field = service.Fields.FieldPath("port");
            if (service.Definition.Replicas > 1)
            {
                errors.Add(at, field, $"port clash: {service.Definition.Replicas} replicas cannot all listen on port {port.Fixed}; use 'port: auto'");
            }

            if (taken.TryGetValue(port.Fixed, out var owner))
            {
                errors.Add(at, field, $"port clash: port {port.Fixed} is already used by {owner}");
            }
            else
            {
                taken[port.Fixed] = $"service '{service.Definition.Name}'";
            }
        }
    }

    private static void CheckRoutes(List<ParsedService> services, YamlFields top, YamlErrors errors)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            foreach (var route in service.Definition.Routes)
            {
                if (!owners.TryAdd(route, service.Definition.Name))
                {
                    errors.Add(service.Fields.Get("routes")!, service.Fields.FieldPath("routes"), $"route '{route}' is already served by service '{owners[route]}'");
                }
            }
        }
    }
}
