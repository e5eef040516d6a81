using System.Globalization;
using Shoal.Files;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Turns a service definition into the process spec of one replica: argv, Shoal's variables, log file.</summary>
internal sealed class ReplicaTemplate(ServiceDefinition service, string stackName, IReadOnlyList<string> argv, bool passUrls, string stateDirectory, ProcessUser? user = null)
{
    public ServiceDefinition Service { get; } = service;

    public string DataDirectory { get; } = Path.Combine(stateDirectory, "data", service.Name);

    /// <summary>Where the replica reaches the services it depends on (service discovery), or null.</summary>
    public ServiceAddresses? Addresses { get; set; }

    /// <summary>Relays from the isolation bridge to a gateway on loopback, or null when the gateway needs none.</summary>
    public GatewayRelays? Relays { get; set; }

    public string LogFile(string instanceId) => Path.Combine(stateDirectory, "logs", instanceId + ".log");

    public ProcessSpec Create(string instanceId, int index, int port, Processes.Networking.NetworkLease? lease = null)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SHOAL_INSTANCE_ID"] = instanceId,
            ["SHOAL_REPLICA"] = index.ToString(CultureInfo.InvariantCulture),
            ["SHOAL_SERVICE"] = Service.Name,
            ["SHOAL_VERSION"] = Service.Version,
            ["SHOAL_STACK"] = stackName,
            ["SHOAL_DATA_DIR"] = DataDirectory,

            // Where the replica listens: loopback, or with network: isolated its own address (loopback is its own there).
            ["SHOAL_ADDRESS"] = lease?.Address.ToString() ?? "127.0.0.1",
        };
        if (port > 0)
        {
            var url = $"http://{variables["SHOAL_ADDRESS"]}:{port.ToString(CultureInfo.InvariantCulture)}";
            variables["PORT"] = port.ToString(CultureInfo.InvariantCulture);
            variables["ASPNETCORE_URLS"] = url;
        }

        Addresses?.AddTo(variables, lease?.HostAddress);
        var environment = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        foreach (var (key, value) in Service.Environment.Concat(Service.OverrideFor(index)?.Environment ?? new Dictionary<string, string>()))
        {
            environment[key] = Substitute(value, variables);
        }

        var arguments = argv.Skip(1).Select(a => Substitute(a, variables)).ToList();
        if (passUrls && port > 0)
        {
            arguments.Add("--urls");
            arguments.Add(variables["ASPNETCORE_URLS"]);
        }

        PrivateFiles.CreateDirectory(DataDirectory);
        return new ProcessSpec
        {
            Name = instanceId,
            FileName = Substitute(argv[0], variables),
            Arguments = arguments,
            Environment = environment,
            Inherit = Service.InheritEnvironment,
            WorkingDirectory = Service.WorkingDirectory,
            LogFile = LogFile(instanceId),
            Limits = Service.Runtime.Limits,
            User = user,
            Isolation = new IsolationOptions { Image = Service.Runtime.Image, Network = Service.Runtime.Network, Lease = lease },
        };
    }

    /// <summary>Replaces <c>${NAME}</c> with Shoal's per-replica variables; other text is left alone.</summary>
    internal static string Substitute(string text, IReadOnlyDictionary<string, string> variables)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return text;
        }

        foreach (var (name, value) in variables)
        {
            text = text.Replace("${" + name + "}", value, StringComparison.Ordinal);
        }

        return text;
    }
}
