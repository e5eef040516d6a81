using Shoal.Configuration;
using Shoal.Http;
using System.Net;
using System.Text.RegularExpressions;
using Shoal.Routing;
using Shoal.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack;

/// <summary>Reads and validates <c>shoal.yml</c>; every problem is reported with file, line and field before anything starts.</summary>
public static partial class StackFileLoader
{
    /// <summary>The file names looked for when none is given.</summary>
    public static readonly string[] DefaultFileNames = ["shoal.yml", "shoal.yaml"];

    private static readonly string[] s_topLevelKeys = ["name", "gateway", "services", "registry", "functions"];
    private static readonly string[] s_functionsKeys = ["definitions", "routing", "agent", "janitor_interval", "invoke_credentials"];
    private static readonly string[] s_credentialKeys = ["access_key_id", "secret_access_key"];
    private static readonly string[] s_registryKeys = ["store", "allow_addresses"];
    private static readonly string[] s_gatewayKeys = ["listen", "admin", "admin_token", "operator_token", "plugins", "trusted_proxies", "limits"];
    private static readonly string[] s_serviceKeys =
    [
        "command", "project", "replicas", "port", "env", "health", "restart", "depends_on", "routes",
        "working_dir", "version", "stop_grace_period", "inherit_env", "weight", "metadata", "per_replica", "load_balancing", "resilience", "external", "deploy",
    ];
    private static readonly string[] s_deployKeys = ["steps", "interval", "max_error_rate", "max_p99", "min_requests", "keep_old", "max_surge", "max_unavailable"];

    private static readonly string[] s_replicaKeys = ["weight", "metadata", "env"];
    private static readonly string[] s_balancingKeys = ["strategy", "session_header", "session_cookie", "session_idle_timeout", "hash_key", "bounded_load", "virtual_nodes", "settings"];
    private static readonly string[] s_resilienceKeys = ["timeout", "attempt_timeout", "retries", "circuit_breaker", "outliers", "bulkhead", "slow_start", "hedging", "stall_detection"];
    private static readonly string[] s_retryKeys = ["max_attempts", "backoff", "max_backoff", "budget", "min_retries_per_second"];
    private static readonly string[] s_breakerKeys = ["consecutive_failures", "failure_ratio", "minimum_requests", "window", "break_duration"];
    private static readonly string[] s_outlierKeys = ["consecutive_failures", "ejection_time", "max_ejection_percent"];
    private static readonly string[] s_bulkheadKeys = ["max_concurrent", "max_concurrent_per_instance", "queue_size", "queue_timeout"];

    private static readonly string[] s_healthKeys = ["http", "tcp", "interval", "start_interval", "timeout", "healthy_threshold", "unhealthy_threshold"];
    private static readonly string[] s_restartKeys = ["policy", "backoff", "max_backoff", "max_restarts", "window"];

    private static readonly Dictionary<string, RestartMode> s_restartModes = new(StringComparer.Ordinal)
    {
        ["always"] = RestartMode.Always,
        ["on-failure"] = RestartMode.OnFailure,
        ["never"] = RestartMode.Never,
    };

    private static readonly Dictionary<string, DependencyCondition> s_conditions = new(StringComparer.Ordinal)
    {
        ["started"] = DependencyCondition.Started,
        ["healthy"] = DependencyCondition.Healthy,
    };

    /// <summary>Finds the stack file: the given path, or <c>shoal.yml</c> in the current directory.</summary>
    public static string Locate(string? path)
    {
        if (!string.IsNullOrEmpty(path))
        {
            return path;
        }

        foreach (var name in DefaultFileNames)
        {
            if (File.Exists(name))
            {
                return name;
            }
        }

        throw new ConfigFileException($"No stack file: neither {string.Join(" nor ", DefaultFileNames)} is in {Environment.CurrentDirectory}; pass one with -f FILE.");
    }

    /// <summary>Loads and validates a stack file.</summary>
    /// <exception cref="ConfigFileException">The file is missing or invalid.</exception>
    public static StackDefinition Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigFileException($"{path}: no such stack file.");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"{path}: cannot read: {ex.Message}", ex);
        }

        return Parse(text, Path.GetFullPath(path), path);
    }

    /// <summary>Validates stack file text; <paramref name="displayName"/> is how messages name the file.</summary>
    /// <exception cref="ConfigFileException">The text is invalid.</exception>
    public static StackDefinition Parse(string yaml, string fullPath, string displayName)
    {
        var errors = new YamlErrors(displayName);
        if (YamlDocuments.LoadMapping(yaml, errors, "the stack file must be a mapping with a 'services:' section") is not { } root)
        {
            throw new ConfigFileException(errors.All);
        }

        var top = new YamlFields(root, string.Empty, errors, s_topLevelKeys);
        var directory = Path.GetDirectoryName(fullPath)!;
        var name = top.GetString("name") ?? Path.GetFileName(directory);
        var gateway = ReadGateway(top, directory);
        var functions = ReadFunctions(top, directory);
        var services = ReadServices(top, directory, servicesOptional: functions.DefinitionsFile is not null);
        var registry = ReadRegistry(top, directory, out var allowAddresses);

        CheckDependencies(services, top, errors);
        CheckPorts(services, gateway, top, errors);
        CheckRoutes(services, top, errors);
        CheckStrategies(services, gateway, errors);

        errors.ThrowIfAny();

        return new StackDefinition
        {
            Name = name,
            FilePath = fullPath,
            Gateway = gateway,
            Services = services.Select(s => s.Definition).ToList(),
            RegistryStore = registry,
            RegistryAllowAddresses = allowAddresses,
            Functions = functions,
        };
    }

    private static FunctionsSettings ReadFunctions(YamlFields top, string directory)
    {
        var section = top.GetMap("functions", s_functionsKeys);
        string? Resolve(string key, string fallback)
        {
            var given = section?.GetPath(key);
            if (given is not null)
            {
                var path = Path.GetFullPath(Path.Combine(directory, given));
                if (!File.Exists(path))
                {
                    section!.Errors.Add(section.Get(key)!, section.FieldPath(key), $"'{given}' does not exist");
                }

                return path;
            }

            // Found next to the stack file when not named.
            var next = Path.Combine(directory, fallback);
            return File.Exists(next) ? next : null;
        }

        var definitions = Resolve("definitions", "functions.yml");
        var routing = Resolve("routing", "routing.yml");
        var agent = section?.GetString("agent") ?? "local";
        if (agent != "local" && !(Uri.TryCreate(agent, UriKind.Absolute, out var uri) && uri.Scheme == "http"))
        {
            section!.Errors.Add(section.Get("agent")!, section.FieldPath("agent"), $"'{agent}' is not an agent: use 'local' (started with the stack) or http://host:port");
        }

        if (section is not null && definitions is null)
        {
            section.Errors.Add(section.Node, section.Path, "no functions file: name one with 'definitions:' or put functions.yml next to the stack file");
        }

        return new FunctionsSettings
        {
            DefinitionsFile = definitions,
            RoutingFile = routing,
            Agent = agent,
            JanitorInterval = section?.GetDuration("janitor_interval", TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10)) ?? TimeSpan.FromSeconds(1),
            InvokeCredentials = ReadInvokeCredentials(section),
        };
    }

    private static InvokeCredentials? ReadInvokeCredentials(YamlFields? functions)
    {
        var section = functions?.GetMap("invoke_credentials", s_credentialKeys);
        if (section is null)
        {
            return null;
        }

        var id = section.GetString("access_key_id");
        var secret = section.GetString("secret_access_key");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            section.Errors.Add(section.Node, section.Path, "invoke_credentials needs both access_key_id and secret_access_key");
            return null;
        }

        if (secret.Length < 16)
        {
            section.Errors.Add(section.Get("secret_access_key")!, section.FieldPath("secret_access_key"), "a secret access key needs at least 16 characters");
        }

        return new InvokeCredentials(id, secret);
    }

    private static string ReadRegistry(YamlFields top, string directory, out List<IPNetwork> allowAddresses)
    {
        var section = top.GetMap("registry", s_registryKeys);
        allowAddresses = ReadNetworks(section, "allow_addresses");
        var store = section?.GetPath("store");
        if (store is null)
        {
            return "sqlite:" + Path.Combine(directory, ".shoal", "registry.db");
        }

        if (store.StartsWith("sqlite:", StringComparison.Ordinal) && store.Length > "sqlite:".Length)
        {
            return "sqlite:" + Path.GetFullPath(Path.Combine(directory, store["sqlite:".Length..]));
        }

        if (!EtcdAddressPattern().IsMatch(store))
        {
            section!.Errors.Add(section.Get("store")!, section.FieldPath("store"), $"'{store}' is not a registry store: use sqlite:PATH or etcd://host:port[,host:port…][/prefix]");
        }

        return store;
    }

    private static GatewayDefinition ReadGateway(YamlFields top, string directory)
    {
        var section = top.GetMap("gateway", s_gatewayKeys);
        if (section is null)
        {
            return new GatewayDefinition { AdminToken = FromEnvironment(AdminAuthentication.TokenVariable), OperatorToken = FromEnvironment(AdminAuthentication.OperatorTokenVariable) };
        }

        var plugins = new List<string>();
        foreach (var (node, path) in section.GetStringList("plugins") ?? [])
        {
            if (YamlFields.ControlCharacter(path) is { } c)
            {
                section.Errors.Add(node, section.FieldPath("plugins"), $"a path cannot hold the control character U+{(int)c:X4}");
                continue;
            }

            var full = Path.GetFullPath(Path.Combine(directory, path));
            if (!File.Exists(full) || !(full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || full.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)))
            {
                section.Errors.Add(node, section.FieldPath("plugins"), $"no .dll or .csproj at '{path}' (resolved to {full})");
            }

            plugins.Add(full);
        }

        var proxies = new List<IPNetwork>();
        foreach (var (node, text) in section.GetStringList("trusted_proxies") ?? [])
        {
            if (IPNetwork.TryParse(text.Contains('/', StringComparison.Ordinal) ? text : text + (text.Contains(':', StringComparison.Ordinal) ? "/128" : "/32"), out var network))
            {
                proxies.Add(network);
            }
            else
            {
                section.Errors.Add(node, section.FieldPath("trusted_proxies"), $"'{text}' is not an IP address or CIDR range such as 10.0.0.0/8");
            }
        }

        var admin = ReadListenUri(section, "admin") ?? GatewayDefinition.DefaultAdmin;
        var token = FromEnvironment(AdminAuthentication.TokenVariable) ?? section.GetString("admin_token");
        if (token is { Length: < 16 })
        {
            section.Errors.Add(section.Get("admin_token") ?? section.Node, section.FieldPath("admin_token"), "an admin token needs at least 16 characters");
        }

        var operatorToken = FromEnvironment(AdminAuthentication.OperatorTokenVariable) ?? section.GetString("operator_token");
        if (operatorToken is { Length: < 16 })
        {
            section.Errors.Add(section.Get("operator_token") ?? section.Node, section.FieldPath("operator_token"), "an operator token needs at least 16 characters");
        }
        else if (operatorToken is not null && operatorToken == token)
        {
            section.Errors.Add(section.Get("operator_token") ?? section.Node, section.FieldPath("operator_token"), "the operator token must differ from the admin token");
        }

        if (!AdminAuthentication.IsLoopback(admin) && string.IsNullOrEmpty(token))
        {
            section.Errors.Add(section.Get("admin") ?? section.Node, section.FieldPath("admin"), $"the admin listener {admin} is reachable from other machines: set gateway.admin_token or {AdminAuthentication.TokenVariable}, or listen on 127.0.0.1");
        }

        return new GatewayDefinition
        {
            Listen = ReadListenUri(section, "listen") ?? GatewayDefinition.DefaultListen,
            Admin = admin,
            AdminToken = token,
            OperatorToken = operatorToken,
            Plugins = plugins,
            TrustedProxies = proxies,
            Limits = ReadLimits(section),
        };
    }

    private static string? FromEnvironment(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    private static Uri? ReadListenUri(YamlFields section, string key)
    {
        var text = section.GetString(key);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/" && !text.EndsWith(":0", StringComparison.Ordinal))
        {
            return uri;
        }

        section.Errors.Add(section.Get(key)!, section.FieldPath(key), $"expected an http URL with host and port such as http://127.0.0.1:8080, got '{text}'");
        return null;
    }

    private sealed record ParsedService(ServiceDefinition Definition, YamlFields Fields);

    private static List<ParsedService> ReadServices(YamlFields top, string directory, bool servicesOptional)
    {
        var node = top.Get("services");
        var result = new List<ParsedService>();
        if (servicesOptional && (node is null || node is YamlMappingNode { Children.Count: 0 }))
        {
            // A stack of functions only.
            return result;
        }

        if (node is null)
        {
            top.Errors.Add(top.Node, "services", "missing: a stack needs a 'services:' mapping with at least one service");
            return result;
        }

        if (node is not YamlMappingNode services || services.Children.Count == 0)
        {
            top.Errors.Add(node, "services", $"expected a mapping of service names to services, got {YamlFields.Describe(node)}");
            return result;
        }

        foreach (var (key, value) in services.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var path = $"services.{name}";
            if (!ServiceNamePattern().IsMatch(name))
            {
                top.Errors.Add(key, path, "a service name uses lower-case letters, digits and '-' and starts with a letter");
            }

            if (value is not YamlMappingNode map)
            {
                top.Errors.Add(value, path, $"expected a mapping with 'command' or 'project', got {YamlFields.Describe(value)}");
                continue;
            }

            var fields = new YamlFields(map, path, top.Errors, s_serviceKeys);
            result.Add(new ParsedService(ReadService(name, fields, directory, (int)key.Start.Line), fields));
        }

        return result;
    }

    private static ServiceDefinition ReadService(string name, YamlFields f, string directory, int line)
    {
        var command = ReadCommand(f);
        var project = f.GetPath("project");
        var external = f.GetBool("external") ?? false;
        string? projectPath = null;
        if (external && (command is not null || project is not null))
        {
            f.Errors.Add(f.KeyNode("external")!, f.FieldPath("external"), "an external service runs elsewhere and registers through the registry API: drop 'command' and 'project'");
        }
        else if (external)
        {
            // Its instances come from the registry.
        }
        else if (f.Get("command") is null && project is null)
        {
            f.Errors.Add(f.Node, f.Path, "missing command: give 'command' (the argv to run, e.g. [dotnet, app.dll]) or 'project' (a .csproj to build and run)");
        }
        else if (command is not null && project is not null)
        {
            f.Errors.Add(f.KeyNode("project")!, f.FieldPath("project"), "give either 'command' or 'project', not both");
        }
        else if (project is not null)
        {
            projectPath = Path.GetFullPath(Path.Combine(directory, project));
            if (!projectPath.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || !File.Exists(projectPath))
            {
                f.Errors.Add(f.Get("project")!, f.FieldPath("project"), $"no .csproj at '{project}' (resolved to {projectPath})");
            }
        }

        var port = ReadPort(f);
        var workingDir = f.GetPath("working_dir") is { } wd ? Path.GetFullPath(Path.Combine(directory, wd)) : directory;
        var routes = f.GetStringList("routes") ?? [];
        foreach (var (node, route) in routes)
        {
            if (!RoutePattern().IsMatch(route))
            {
                f.Errors.Add(node, f.FieldPath("routes"), $"'{route}' is not a route: use an absolute path such as /api/** (prefix) or /health (exact)");
            }
        }

        if (routes.Count > 0 && port.Kind == PortKind.None && !external)
        {
            f.Errors.Add(f.KeyNode("routes")!, f.FieldPath("routes"), "a service with routes needs a 'port' (auto or a number) for the gateway to reach it");
        }

        return new ServiceDefinition
        {
            Name = name,
            Command = command,
            Project = projectPath,
            Replicas = external ? 0 : f.GetInt("replicas", 0, 64) ?? 1,
            External = external,
            Port = port,
            Environment = ReadEnvironment(f, "env"),
            InheritEnvironment = ReadInheritEnvironment(f),
            Health = ReadHealth(f, port),
            Restart = ReadRestart(f),
            DependsOn = ReadDependencies(f),
            Routes = routes.Select(r => r.Value).ToList(),
            WorkingDirectory = workingDir,
            Version = f.GetString("version") ?? "1",
            StopGracePeriod = f.GetDuration("stop_grace_period", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? TimeSpan.FromSeconds(10),
            Weight = f.GetInt("weight", 0, 10_000) ?? 1,
            Metadata = f.GetStringMap("metadata") ?? new Dictionary<string, string>(),
            PerReplica = ReadPerReplica(f),
            LoadBalancing = ReadLoadBalancing(f, out var strategyPosition),
            StrategyPosition = strategyPosition,
            Resilience = ReadResilience(f),
            Deploy = ReadDeploy(f),
            Line = line,
        };
    }

    private static List<string> ReadInheritEnvironment(YamlFields f)
    {
        var names = new List<string>();
        foreach (var (node, name) in f.GetStringList("inherit_env") ?? [])
        {
            if (!EnvironmentNamePattern().IsMatch(name))
            {
                f.Errors.Add(node, f.FieldPath("inherit_env"), $"'{name}' is not an environment variable name (letters, digits and '_', not starting with a digit)");
            }
            else if (name is AdminAuthentication.TokenVariable or AdminAuthentication.OperatorTokenVariable)
            {
                f.Errors.Add(node, f.FieldPath("inherit_env"), $"{name} is Shoal's own secret and never passed to a child");
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static List<ReplicaOverride> ReadPerReplica(YamlFields f)
    {
        var node = f.Get("per_replica");
        var result = new List<ReplicaOverride>();
        if (node is null)
        {
            return result;
        }

        if (node is not YamlSequenceNode list)
        {
            f.Errors.Add(node, f.FieldPath("per_replica"), $"expected a list, one entry per replica ({{ weight, metadata, env }}), got {YamlFields.Describe(node)}");
            return result;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"{f.FieldPath("per_replica")}[{i}]";
            if (list.Children[i] is not YamlMappingNode map)
            {
                f.Errors.Add(list.Children[i], path, "expected a mapping with weight, metadata or env");
                result.Add(new ReplicaOverride(null, new Dictionary<string, string>(), new Dictionary<string, string>()));
                continue;
            }

            var r = new YamlFields(map, path, f.Errors, s_replicaKeys);
            result.Add(new ReplicaOverride(r.GetInt("weight", 0, 10_000), r.GetStringMap("metadata") ?? [], ReadEnvironment(r, "env")));
        }

        return result;
    }

    private static LoadBalancingSettings ReadLoadBalancing(YamlFields f, out (int Line, int Column) position)
    {
        var node = f.Get("load_balancing");
        position = node is null ? (0, 0) : ((int)node.Start.Line, (int)node.Start.Column);
        if (node is null)
        {
            return LoadBalancingSettings.Default;
        }

        if (node is YamlScalarNode { Value: { } name })
        {
            return new LoadBalancingSettings { Strategy = name };
        }

        var b = f.GetMap("load_balancing", s_balancingKeys);
        if (b is null)
        {
            return LoadBalancingSettings.Default;
        }

        var defaults = LoadBalancingSettings.Default;
        if (b.Get("strategy") is { } strategyNode)
        {
            position = ((int)strategyNode.Start.Line, (int)strategyNode.Start.Column);
        }

        var settings = new LoadBalancingSettings
        {
            Strategy = b.GetString("strategy") ?? defaults.Strategy,
            SessionHeader = b.GetString("session_header") ?? defaults.SessionHeader,
            SessionCookie = b.GetString("session_cookie"),
            SessionIdleTimeout = b.GetDuration("session_idle_timeout", TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)) ?? defaults.SessionIdleTimeout,
            HashKey = b.GetString("hash_key"),
            BoundedLoad = b.GetDouble("bounded_load", 1, 100),
            VirtualNodes = b.GetInt("virtual_nodes", 1, 10_000) ?? defaults.VirtualNodes,
            Settings = b.GetStringMap("settings") ?? new Dictionary<string, string>(),
        };
        foreach (var (field, message) in LoadBalancingValidation.Problems(settings, knownStrategies: null))
        {
            b.Errors.Add(b.Get(field) ?? b.Node, b.FieldPath(field), message);
        }

        return settings;
    }

    private static DeploymentDefaults ReadDeploy(YamlFields f)
    {
        var d = f.GetMap("deploy", s_deployKeys);
        var defaults = new DeploymentDefaults();
        if (d is null)
        {
            return defaults;
        }

        var steps = new List<int>();
        foreach (var (node, text) in d.GetStringList("steps") ?? [])
        {
            if (int.TryParse(text.TrimEnd('%'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var w) && w <= 100 && (steps.Count == 0 || w > steps[^1]))
            {
                steps.Add(w);
            }
            else
            {
                d.Errors.Add(node, d.FieldPath("steps"), $"'{text}' is not the next weight: steps are ascending percentages from 0 to 100");
            }
        }

        return new DeploymentDefaults
        {
            Steps = steps.Count > 0 ? steps : defaults.Steps,
            Interval = d.GetDuration("interval", TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1)) ?? defaults.Interval,
            MaxErrorRate = d.GetFraction("max_error_rate") ?? defaults.MaxErrorRate,
            MaxP99 = d.GetDuration("max_p99", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
            MinRequests = d.GetInt("min_requests", 0, 1_000_000) ?? defaults.MinRequests,
            KeepOld = d.GetDuration("keep_old", TimeSpan.Zero, TimeSpan.FromDays(7)) ?? defaults.KeepOld,
            MaxSurge = d.GetInt("max_surge", 0, 64) ?? defaults.MaxSurge,
            MaxUnavailable = d.GetInt("max_unavailable", 0, 64) ?? defaults.MaxUnavailable,
        };
    }

    private static ResilienceSettings ReadResilience(YamlFields f)
    {
        var r = f.GetMap("resilience", s_resilienceKeys);
        if (r is null)
        {
            return ResilienceSettings.Default;
        }

        var d = ResilienceSettings.Default;
        var retry = r.GetMap("retries", s_retryKeys);
        var breaker = r.GetMap("circuit_breaker", s_breakerKeys);
        var outliers = r.GetMap("outliers", s_outlierKeys);
        var bulkhead = r.GetMap("bulkhead", s_bulkheadKeys);
        var settings = new ResilienceSettings
        {
            Timeout = r.GetDuration("timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? d.Timeout,
            SlowStart = r.GetDuration("slow_start", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? d.SlowStart,
            Retries = retry is null ? d.Retries : new RetrySettings
            {
                MaxAttempts = retry.GetInt("max_attempts", 1, 10) ?? d.Retries.MaxAttempts,
                Backoff = retry.GetDuration("backoff", TimeSpan.Zero, TimeSpan.FromMinutes(1)) ?? d.Retries.Backoff,
                MaxBackoff = retry.GetDuration("max_backoff", TimeSpan.Zero, TimeSpan.FromMinutes(5)) ?? d.Retries.MaxBackoff,
                Budget = retry.GetFraction("budget") ?? d.Retries.Budget,
                MinRetriesPerSecond = retry.GetInt("min_retries_per_second", 0, 100_000) ?? d.Retries.MinRetriesPerSecond,
            },
            CircuitBreaker = breaker is null ? d.CircuitBreaker : new CircuitBreakerSettings
            {
                ConsecutiveFailures = breaker.GetInt("consecutive_failures", 0, 10_000) ?? d.CircuitBreaker.ConsecutiveFailures,
                FailureRatio = breaker.GetFraction("failure_ratio") ?? d.CircuitBreaker.FailureRatio,
                MinimumRequests = breaker.GetInt("minimum_requests", 1, 1_000_000) ?? d.CircuitBreaker.MinimumRequests,
                Window = breaker.GetDuration("window", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)) ?? d.CircuitBreaker.Window,
                BreakDuration = breaker.GetDuration("break_duration", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? d.CircuitBreaker.BreakDuration,
            },
            Outliers = outliers is null ? d.Outliers : new OutlierSettings
            {
                ConsecutiveFailures = outliers.GetInt("consecutive_failures", 0, 10_000) ?? d.Outliers.ConsecutiveFailures,
                EjectionTime = outliers.GetDuration("ejection_time", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? d.Outliers.EjectionTime,
                MaxEjectionPercent = outliers.GetInt("max_ejection_percent", 0, 100) ?? d.Outliers.MaxEjectionPercent,
            },
            Bulkhead = bulkhead is null ? d.Bulkhead : new BulkheadSettings
            {
                MaxConcurrent = bulkhead.GetInt("max_concurrent", 0, 1_000_000) ?? 0,
                MaxConcurrentPerInstance = bulkhead.GetInt("max_concurrent_per_instance", 0, 1_000_000) ?? 0,
                QueueSize = bulkhead.GetInt("queue_size", 0, 1_000_000) ?? 0,
                QueueTimeout = bulkhead.GetDuration("queue_timeout", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? d.Bulkhead.QueueTimeout,
            },
        };
        settings = ReadStallSettings(r, settings);
        if (retry is not null && settings.Retries.MaxBackoff < settings.Retries.Backoff)
        {
            retry.Errors.Add(retry.Get("max_backoff") ?? retry.Node, retry.FieldPath("max_backoff"), "must be at least 'backoff'");
        }

        if (bulkhead is not null && settings.Bulkhead.QueueSize > 0 && settings.Bulkhead.MaxConcurrent == 0)
        {
            bulkhead.Errors.Add(bulkhead.Get("queue_size")!, bulkhead.FieldPath("queue_size"), "a queue needs 'max_concurrent' (the limit it queues behind)");
        }

        return settings;
    }

    private static List<string>? ReadCommand(YamlFields f)
    {
        var argv = ReadArgv(f);
        if (argv is not null && argv.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            f.Errors.Add(f.Get("command")!, f.FieldPath("command"), "an argument cannot hold a NUL character (U+0000)");
            return null;
        }

        return argv;
    }

    private static Dictionary<string, string> ReadEnvironment(YamlFields f, string key)
    {
        var variables = f.GetStringMap(key) ?? new Dictionary<string, string>();
        foreach (var (name, value) in variables)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                f.Errors.Add(f.Get(key)!, YamlFields.Join(f.FieldPath(key), YamlFields.Printable(name)), "an environment variable needs a name without '=' and neither name nor value may hold a NUL character (U+0000)");
            }
        }

        return variables;
    }

    private static List<string>? ReadArgv(YamlFields f)
    {
        var node = f.Get("command");
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode { Value: { } text }:
                var argv = CommandLineSplitter.Split(text);
                if (argv.Count == 0)
                {
                    f.Errors.Add(node, f.FieldPath("command"), "the command is empty");
                    return null;
                }

                return argv;
            case YamlSequenceNode:
                var items = f.GetStringList("command")!.Select(i => i.Value).ToList();
                if (items.Count == 0)
                {
                    f.Errors.Add(node, f.FieldPath("command"), "the command is empty");
                    return null;
                }

                return items;
            default:
                f.Errors.Add(node, f.FieldPath("command"), $"expected the argv as a list (e.g. [dotnet, app.dll]) or a string, got {YamlFields.Describe(node)}");
                return null;
        }
    }

    private static PortSpec ReadPort(YamlFields f)
    {
        var node = f.Get("port");
        if (node is null)
        {
            return PortSpec.None;
        }

        if (node is YamlScalarNode { Value: "auto" })
        {
            return PortSpec.Auto;
        }

        var port = f.GetInt("port", 1, 65535);
        return port is null ? PortSpec.None : PortSpec.Of(port.Value);
    }

    private static HealthCheckDefinition ReadHealth(YamlFields f, PortSpec port)
    {
        var defaults = new HealthCheckDefinition { Kind = port.Kind == PortKind.None ? HealthCheckKind.Process : HealthCheckKind.Tcp };
        var node = f.Get("health");
        if (node is YamlScalarNode { Value: { } shorthand })
        {
            // health: /api/health is short for health: { http: /api/health }.
            if (shorthand == "none")
            {
                return defaults with { Kind = HealthCheckKind.Process };
            }

            if (!shorthand.StartsWith('/'))
            {
                f.Errors.Add(node, f.FieldPath("health"), $"expected an HTTP path such as /health, 'none', or a mapping, got '{shorthand}'");
                return defaults;
            }

            RequirePort(f, port, node);
            return defaults with { Kind = HealthCheckKind.Http, Path = shorthand };
        }

        var h = f.GetMap("health", s_healthKeys);
        if (h is null)
        {
            return defaults;
        }

        var result = defaults;
        var http = h.GetString("http");
        var tcp = h.GetBool("tcp");
        if (http is not null && tcp == true)
        {
            h.Errors.Add(h.KeyNode("tcp")!, h.FieldPath("tcp"), "give either 'http' or 'tcp', not both");
        }

        if (http is not null)
        {
            if (!http.StartsWith('/'))
            {
                h.Errors.Add(h.Get("http")!, h.FieldPath("http"), $"expected an absolute path such as /api/health, got '{http}'");
            }

            RequirePort(f, port, h.Node);
            result = result with { Kind = HealthCheckKind.Http, Path = http };
        }
        else if (tcp == true)
        {
            RequirePort(f, port, h.Node);
            result = result with { Kind = HealthCheckKind.Tcp };
        }

        var interval = h.GetDuration("interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        return result with
        {
            Interval = interval ?? result.Interval,
            StartInterval = h.GetDuration("start_interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) ?? Min(result.StartInterval, interval ?? result.StartInterval),
            Timeout = h.GetDuration("timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)) ?? result.Timeout,
            HealthyThreshold = h.GetInt("healthy_threshold", 1, 100) ?? result.HealthyThreshold,
            UnhealthyThreshold = h.GetInt("unhealthy_threshold", 1, 100) ?? result.UnhealthyThreshold,
        };

        static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }

    private static void RequirePort(YamlFields f, PortSpec port, YamlNode at)
    {
        if (port.Kind == PortKind.None)
        {
            f.Errors.Add(at, f.FieldPath("health"), "an http or tcp health check needs a 'port' to probe");
        }
    }

    private static RestartPolicyDefinition ReadRestart(YamlFields f)
    {
        var node = f.Get("restart");
        if (node is null)
        {
            return new RestartPolicyDefinition();
        }

        if (node is YamlScalarNode)
        {
            return new RestartPolicyDefinition { Mode = f.GetEnum("restart", s_restartModes) ?? RestartMode.Always };
        }

        var r = f.GetMap("restart", s_restartKeys);
        if (r is null)
        {
            return new RestartPolicyDefinition();
        }

        var defaults = new RestartPolicyDefinition();
        var policy = new RestartPolicyDefinition
        {
            Mode = r.GetEnum("policy", s_restartModes) ?? defaults.Mode,
            Backoff = r.GetDuration("backoff", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? defaults.Backoff,
            MaxBackoff = r.GetDuration("max_backoff", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? defaults.MaxBackoff,
            MaxRestarts = r.GetInt("max_restarts", 0, 10_000) ?? defaults.MaxRestarts,
            Window = r.GetDuration("window", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)) ?? defaults.Window,
        };
        if (policy.MaxBackoff < policy.Backoff)
        {
            r.Errors.Add(r.Get("max_backoff") ?? r.Node, r.FieldPath("max_backoff"), "must be at least 'backoff'");
        }

        return policy;
    }

    private static List<DependencyDefinition> ReadDependencies(YamlFields f)
    {
        var node = f.Get("depends_on");
        var result = new List<DependencyDefinition>();
        switch (node)
        {
            case null:
                break;
            case YamlSequenceNode:
                foreach (var (_, name) in f.GetStringList("depends_on")!)
                {
                    result.Add(new DependencyDefinition(name, DependencyCondition.Started));
                }

                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    var name = (k as YamlScalarNode)?.Value ?? string.Empty;
                    var condition = DependencyCondition.Started;
                    if (v is YamlMappingNode conditionMap)
                    {
                        var c = new YamlFields(conditionMap, $"{f.FieldPath("depends_on")}.{name}", f.Errors, "condition");
                        condition = c.GetEnum("condition", s_conditions) ?? DependencyCondition.Started;
                    }
                    else if (!YamlFields.IsNull(v))
                    {
                        f.Errors.Add(v, $"{f.FieldPath("depends_on")}.{name}", $"expected {{ condition: started | healthy }}, got {YamlFields.Describe(v)}");
                    }

                    result.Add(new DependencyDefinition(name, condition));
                }

                break;
            default:
                f.Errors.Add(node, f.FieldPath("depends_on"), $"expected a list of service names or a mapping of name: {{ condition: … }}, got {YamlFields.Describe(node)}");
                break;
        }

        return result;
    }

    private static void CheckDependencies(List<ParsedService> services, YamlFields top, YamlErrors errors)
    {
        // Keys that are not plain names (a list as a key, '' twice) were reported already; the first of a name counts.
        var byName = new Dictionary<string, ParsedService>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            byName.TryAdd(service.Definition.Name, service);
        }

        foreach (var service in services)
        {
            foreach (var dependency in service.Definition.DependsOn)
            {
                if (!byName.TryGetValue(dependency.Service, out var target))
                {
                    errors.Add(service.Fields.Get("depends_on")!, service.Fields.FieldPath("depends_on"), $"'{dependency.Service}' is not a service in this stack");
                }
                else if (target.Definition.External)
                {
                    errors.Add(service.Fields.Get("depends_on")!, service.Fields.FieldPath("depends_on"), $"'{dependency.Service}' is external: the stack cannot wait for it");
                }
            }
        }

        // Depth-first search for a cycle; report it once, at the first service on it.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var trail = new List<string>();
        foreach (var service in services)
        {
            if (Visit(service.Definition.Name) is { } cycle)
            {
                var first = byName[cycle[0]];
                errors.Add(first.Fields.Get("depends_on")!, first.Fields.FieldPath("depends_on"), $"cyclic dependency: {string.Join(" -> ", cycle)}");
                return;
            }
        }

        List<string>? Visit(string name)
        {
            if (!byName.TryGetValue(name, out var service))
            {
                return null;
            }

            switch (state.GetValueOrDefault(name))
            {
                case 1:
                    var start = trail.IndexOf(name);
                    return [.. trail[start..], name];
                case 2:
                    return null;
            }

            state[name] = 1;
            trail.Add(name);
            foreach (var dependency in service.Definition.DependsOn)
            {
                if (Visit(dependency.Service) is { } cycle)
                {
                    return cycle;
                }
            }

            trail.RemoveAt(trail.Count - 1);
            state[name] = 2;
            return null;
        }
    }

    private static void CheckPorts(List<ParsedService> services, GatewayDefinition gateway, YamlFields top, YamlErrors errors)
    {
        var taken = new Dictionary<int, string>();
        var gatewaySection = top.GetMap("gateway", s_gatewayKeys);
        if (gateway.Listen.Port == gateway.Admin.Port && gatewaySection is not null)
        {
            errors.Add(gatewaySection.Get("admin") ?? gatewaySection.Node, "gateway.admin", $"port clash: the admin listener and the gateway listener both use port {gateway.Admin.Port}");
        }

        taken[gateway.Listen.Port] = "the gateway listener (gateway.listen)";
        taken.TryAdd(gateway.Admin.Port, "the admin listener (gateway.admin)");
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

    private static void CheckStrategies(List<ParsedService> services, GatewayDefinition gateway, YamlErrors errors)
    {
        foreach (var service in services)
        {
            var strategy = service.Definition.LoadBalancing.Strategy;
            if (Strategies.BuiltIn.Contains(strategy, StringComparer.Ordinal) || gateway.Plugins.Count > 0)
            {
                continue;
            }

            var (line, column) = service.Definition.StrategyPosition;
            errors.Add(new Mark(0, line, column), service.Fields.FieldPath("load_balancing"),
                $"unknown strategy '{strategy}'; built in: {string.Join(", ", Strategies.BuiltIn)} (a custom one comes from gateway.plugins)");
        }
    }

    /// <summary>Reports a strategy that neither Shoal nor a plugin provides, at the line it is written on.</summary>
    /// <exception cref="ConfigFileException">A service names an unknown strategy.</exception>
    public static void CheckStrategiesExist(StackDefinition stack, IReadOnlyCollection<string> known, string displayName)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(known);
        var errors = new YamlErrors(displayName);
        foreach (var service in stack.Services.Where(s => !known.Contains(s.LoadBalancing.Strategy)))
        {
            var (line, column) = service.StrategyPosition;
            errors.Add(new Mark(0, line, column), $"services.{service.Name}.load_balancing",
                $"unknown strategy '{service.LoadBalancing.Strategy}'; known: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }

        errors.ThrowIfAny();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentNamePattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex ServiceNamePattern();

    [GeneratedRegex(@"^etcd://[^/,:]+:\d{1,5}(,[^/,:]+:\d{1,5})*(/[A-Za-z0-9._/-]+)?$")]
    private static partial Regex EtcdAddressPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._~!$&'()+,;=:@%/-]*(\*\*?)?$")]
    private static partial Regex RoutePattern();
}
