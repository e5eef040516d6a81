using Shoal.Configuration;

namespace Shoal.Functions.Configuration;

/// <summary>Reads the <c>functions:</c> section of the stack file: where the functions are defined, the agent, the Invoke API's credentials.</summary>
public sealed class FunctionsSectionReader : IStackSectionReader
{
    private static readonly string[] s_functionsKeys = ["definitions", "routing", "agent", "janitor_interval", "invoke_credentials"];
    private static readonly string[] s_credentialKeys = ["access_key_id", "secret_access_key"];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> TopLevelKeys { get; } = [new("functions")];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> ServiceKeys { get; } = [];

    /// <inheritdoc />
    public object? ReadStack(StackReadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var functions = ReadFunctions(context.Top, context.Directory);

        // A stack of functions only needs no services.
        context.ServicesOptional = functions.DefinitionsFile is not null;
        return functions;
    }

    /// <inheritdoc />
    public object? ReadService(ServiceReadContext context) => null;

    /// <inheritdoc />
    public void Check(StackCheckContext context)
    {
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
}
