using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>How the loader composes section readers: their keys, their sections, their checks.</summary>
public sealed class SectionCompositionTests
{
    private static StackDefinition Parse(string yaml, params IStackSectionReader[] readers) =>
        StackFileLoader.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml", readers);

    private static string ErrorOf(string yaml, params IStackSectionReader[] readers) =>
        Assert.Throws<ConfigFileException>(() => Parse(yaml, readers)).Message;

    [Fact]
    public void Parse_WithoutReaders_FeatureSectionsAreUnknownKeys()
    {
        Assert.Equal("shoal.yml:1:1: gateway: unknown field 'gateway'; allowed here: name, services",
            ErrorOf("gateway: {}\nservices:\n  app:\n    command: [x]\n"));
        Assert.Equal("shoal.yml:4:5: services.app.deploy: unknown field 'deploy'; allowed here: command, project, replicas, port, env, health, restart, depends_on, routes, working_dir, version, stop_grace_period, inherit_env, weight, metadata, per_replica, external, runtime, image, network, user, resources, postgres, redis",
            ErrorOf("services:\n  app:\n    command: [x]\n    deploy: {}\n"));
    }

    [Fact]
    public void Parse_ReaderKeys_AreAllowed_AndListedAtTheirAnchors()
    {
        var reader = new TagReader();

        Assert.Equal("shoal.yml:1:1: nam: unknown field 'nam' (did you mean 'name'?)", ErrorOf("nam: x\nservices:\n  app:\n    command: [x]\n", reader));
        Assert.Equal("shoal.yml:1:1: other: unknown field 'other'; allowed here: name, tags, services",
            ErrorOf("other: x\nservices:\n  app:\n    command: [x]\n", reader));
        Assert.EndsWith("allowed here: command, tag, project, replicas, port, env, health, restart, depends_on, routes, working_dir, version, stop_grace_period, inherit_env, weight, metadata, per_replica, external, runtime, image, network, user, resources, postgres, redis",
            ErrorOf("services:\n  app:\n    command: [x]\n    other: 1\n", reader), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Sections_AreStoredByType_OnTheStackAndEachService()
    {
        var stack = Parse("tags: [a, blue]\nservices:\n  app:\n    command: [x]\n    tag: blue\n  web:\n    command: [y]\n", new TagReader());

        Assert.Equal(["a", "blue"], stack.Sections.Get<Tags>().Values);
        Assert.Equal("blue", stack.FindService("app")!.Sections.Get<Tag>().Value);
        Assert.Equal("none", stack.FindService("web")!.Sections.Get<Tag>().Value);
        Assert.Null(stack.Sections.Find<Tag>());
    }

    [Fact]
    public void Parse_ReaderErrorsAndChecks_AreReportedWithTheLoadersInFileOrder()
    {
        var message = ErrorOf("tags: [a]\nservices:\n  app:\n    command: [x]\n    tag: red\n    replicas: -1\n", new TagReader());

        Assert.Equal(
            $"2 problems:{Environment.NewLine}  shoal.yml:5:10: services.app.tag: 'red' is not among the stack's tags: a{Environment.NewLine}  shoal.yml:6:15: services.app.replicas: -1 is out of range; allowed 0 to 64",
            message);
    }

    [Fact]
    public void Parse_ClaimedPorts_CannotBeTakenByAService()
    {
        Assert.Equal("shoal.yml:5:11: services.app.port: port clash: port 7000 is already used by the tag server (tags)",
            ErrorOf("tags: [a]\nservices:\n  app:\n    command: [x]\n    port: 7000\n", new TagReader()));
    }

    [Fact]
    public void Parse_ServicesOptional_WhenAReaderSaysSo()
    {
        Assert.Empty(Parse("tags: [functions-only]\n", new TagReader()).Services);
        Assert.Equal("shoal.yml:1:1: services: missing: a stack needs a 'services:' mapping with at least one service", ErrorOf("tags: [a]\n", new TagReader()));
    }

    private sealed record Tags(IReadOnlyList<string> Values) : IClaimsPorts
    {
        public IEnumerable<PortClaim> ClaimedPorts => [new(7000, "the tag server (tags)")];
    }

    private sealed record Tag(string Value);

    /// <summary>A feature with a top-level list (<c>tags:</c>) and a key per service (<c>tag:</c>) that must be one of them.</summary>
    private sealed class TagReader : IStackSectionReader
    {
        public IReadOnlyList<StackKey> TopLevelKeys { get; } = [new("tags", After: "name")];

        public IReadOnlyList<StackKey> ServiceKeys { get; } = [new("tag", After: "command")];

        public object? ReadStack(StackReadContext context)
        {
            var tags = context.Top.GetStringList("tags")?.Select(t => t.Value).ToList() ?? [];
            context.ServicesOptional = tags.Contains("functions-only");
            return new Tags(tags);
        }

        public object? ReadService(ServiceReadContext context) => new Tag(context.Fields.GetString("tag") ?? "none");

        public void Check(StackCheckContext context)
        {
            var tags = context.Sections.Get<Tags>().Values;
            foreach (var service in context.Services)
            {
                var tag = service.Sections.Get<Tag>().Value;
                if (tag != "none" && !tags.Contains(tag))
                {
                    context.Errors.Add(service.Fields.Get("tag")!, service.Fields.FieldPath("tag"), $"'{tag}' is not among the stack's tags: {string.Join(", ", tags)}");
                }
            }
        }
    }
}
