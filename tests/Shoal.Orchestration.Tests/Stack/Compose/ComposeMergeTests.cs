using Shoal.Configuration;
using Shoal.Orchestration.Stack.Compose;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Tests.Stack.Compose;

/// <summary>Compose's override rules, one per test, on the nodes of two files.</summary>
public sealed class ComposeMergeTests
{
    private readonly YamlErrors _errors = new("compose.yml");

    private YamlMappingNode Merge(string under, string over) =>
        ComposeMerge.Merge(Load(under), Load(over), string.Empty, _errors);

    private YamlMappingNode Load(string text) => YamlDocuments.LoadMapping(text, _errors, "mapping")!;

    private static YamlNode At(YamlMappingNode root, params string[] path)
    {
        YamlNode node = root;
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static List<string> Items(YamlNode node) => ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    [Fact]
    public void Merge_Scalars_AreReplaced_AndMappingsMergeKeyByKey()
    {
        var merged = Merge(
            "services: { web: { image: a, user: nobody, healthcheck: { interval: 1s, retries: 3 } } }",
            "services: { web: { image: b, healthcheck: { retries: 5 } }, db: { image: pg } }");

        Assert.Equal("b", At(merged, "services", "web", "image").ToString());
        Assert.Equal("nobody", At(merged, "services", "web", "user").ToString());
        Assert.Equal("1s", At(merged, "services", "web", "healthcheck", "interval").ToString());
        Assert.Equal("5", At(merged, "services", "web", "healthcheck", "retries").ToString());
        Assert.Equal("pg", At(merged, "services", "db", "image").ToString());
    }

    [Fact]
    public void Merge_PortsExposeAndDns_AreConcatenated()
    {
        var merged = Merge("services: { web: { ports: ['80'], expose: ['81'], dns: 1.1.1.1 } }", "services: { web: { ports: ['8080:90'], expose: ['82'], dns: [8.8.8.8] } }");

        Assert.Equal(["80", "8080:90"], Items(At(merged, "services", "web", "ports")));
        Assert.Equal(["81", "82"], Items(At(merged, "services", "web", "expose")));
        Assert.Equal(["1.1.1.1", "8.8.8.8"], Items(At(merged, "services", "web", "dns")));
    }

    [Fact]
    public void Merge_Environment_MergesByName_WhicheverFormEachFileUses()
    {
        var merged = Merge("services: { web: { environment: [A=1, B=2, HOST_ONLY] } }", "services: { web: { environment: { B: three, C: '4' } } }");

        var env = (YamlMappingNode)At(merged, "services", "web", "environment");
        Assert.Equal("1", At(env, "A").ToString());
        Assert.Equal("three", At(env, "B").ToString());
        Assert.Equal("4", At(env, "C").ToString());
        Assert.True(YamlFields.IsNull(At(env, "HOST_ONLY")));
    }

    [Fact]
    public void Merge_Volumes_AreMergedByTarget()
    {
        var merged = Merge("services: { web: { volumes: ['./a:/data', './logs:/logs'] } }", "services: { web: { volumes: ['./b:/data:ro', { type: bind, source: ./c, target: /cache }] } }");

        var volumes = ((YamlSequenceNode)At(merged, "services", "web", "volumes")).Children;
        Assert.Equal(["./logs:/logs", "./b:/data:ro", "/cache"], volumes.Select(v => v is YamlScalarNode s ? s.Value! : ComposeMerge.Target(v)!));
    }

    [Fact]
    public void Merge_CommandEntrypointAndHealthTest_AreReplacedWhole()
    {
        var merged = Merge(
            "services: { web: { command: [a, b, c], entrypoint: [x], healthcheck: { test: [CMD, one, two] } } }",
            "services: { web: { command: [d], entrypoint: y, healthcheck: { test: [CMD-SHELL, three] } } }");

        Assert.Equal(["d"], Items(At(merged, "services", "web", "command")));
        Assert.Equal("y", At(merged, "services", "web", "entrypoint").ToString());
        Assert.Equal(["CMD-SHELL", "three"], Items(At(merged, "services", "web", "healthcheck", "test")));
    }

    [Fact]
    public void Merge_DependsOn_ListAndMap_MergeAsOneMapping()
    {
        var merged = Merge("services: { web: { depends_on: [db, cache] } }", "services: { web: { depends_on: { db: { condition: service_healthy } } } }");

        var depends = (YamlMappingNode)At(merged, "services", "web", "depends_on");
        Assert.Equal("service_healthy", At(depends, "db", "condition").ToString());
        Assert.Equal("service_started", At(depends, "cache", "condition").ToString());
    }

    [Fact]
    public void ExpandMergeKeys_TakesTheAnchorsKeys_WhileKeysWrittenBesideThemWin()
    {
        var root = Load("""
            x-defaults: &defaults
              restart: always
              user: nobody
            services:
              web:
                <<: *defaults
                user: root
            """);

        ComposeMerge.ExpandMergeKeys(root, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance));

        Assert.Equal("always", At(root, "services", "web", "restart").ToString());
        Assert.Equal("root", At(root, "services", "web", "user").ToString());
        Assert.False(((YamlMappingNode)At(root, "services", "web")).Children.ContainsKey(new YamlScalarNode("<<")));
    }
}
