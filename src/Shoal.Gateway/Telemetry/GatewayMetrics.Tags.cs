using System.Diagnostics;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Telemetry;

/// <summary>The tag sets each request records with, built once per instance and per service and cached on their state.</summary>
internal sealed partial class GatewayMetrics
{
    private static readonly string[] s_classes = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"];

    private static InstanceTags InstanceTagsOf(ClusterState cluster, DestinationState destination)
    {
        // A race builds the same tags twice; either copy is right.
        return destination.MetricTags ??= new InstanceTags(cluster.Service, destination.Instance.Version, destination.Id);
    }

    private static ServiceTags ServiceTagsOf(ClusterState cluster) => cluster.MetricTags ??= new ServiceTags(cluster.Service);

    /// <summary>One instance's tags: with each status class, without, and service and instance alone.</summary>
    internal sealed class InstanceTags
    {
        public InstanceTags(string service, string version, string instance)
        {
            ByClass = new TagList[s_classes.Length];
            for (var i = 0; i < s_classes.Length; i++)
            {
                ByClass[i] = new TagList { { "service", service }, { "version", version }, { "instance", instance }, { "status_class", s_classes[i] } };
            }

            Instance = new TagList { { "service", service }, { "version", version }, { "instance", instance } };
            ServiceInstance = new TagList { { "service", service }, { "instance", instance } };
        }

        // Fields, not properties: passed by reference (`in`) to the instruments, never copied.
        public readonly TagList[] ByClass;
        public readonly TagList Instance;
        public readonly TagList ServiceInstance;
    }

    /// <summary>One service's tags, and those of a request no instance took (the gateway's own 503).</summary>
    internal sealed class ServiceTags(string service)
    {
        public readonly TagList Service = new() { { "service", service } };
        public readonly TagList Unrouted = new() { { "service", service }, { "version", string.Empty }, { "instance", string.Empty }, { "status_class", "5xx" } };
    }
}
