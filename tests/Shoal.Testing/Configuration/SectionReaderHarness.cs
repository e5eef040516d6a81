using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Testing.Configuration;

/// <summary>
/// Runs one stack-file section reader on its own, as the stack loader runs it: the top level and each service under
/// <c>services:</c>, then the reader's checks. Keys the reader does not own are accepted silently (the loader checks
/// those), so a feature's tests need neither the loader nor the other features.
/// </summary>
public static class SectionReaderHarness
{
    /// <summary>Reads <paramref name="yaml"/> with <paramref name="reader"/>.</summary>
    /// <exception cref="ConfigFileException">The reader reported errors; the message is the loader's, byte for byte.</exception>
    public static SectionReadResult Read(IStackSectionReader reader, string yaml, string fullPath = "/stacks/demo/shoal.yml", string displayName = "shoal.yml")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var errors = new YamlErrors(displayName);
        if (YamlDocuments.LoadMapping(yaml, errors, "a mapping") is not { } root)
        {
            throw new ConfigFileException(errors.All);
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        var top = new YamlFields(root, string.Empty, errors, KeysOf(root));
        var context = new StackReadContext(top, directory);
        var stack = new SectionSet(reader.ReadStack(context) is { } section ? [section] : []);
        var services = new List<ServiceSections>();
        if (top.Get("services") is YamlMappingNode mapping)
        {
            foreach (var (key, value) in mapping.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                var fields = new YamlFields((YamlMappingNode)value, $"services.{name}", errors, KeysOf((YamlMappingNode)value));
                var read = reader.ReadService(new ServiceReadContext(name, fields, directory));
                services.Add(new ServiceSections(name, fields, new SectionSet(read is null ? [] : [read])));
            }
        }

        reader.Check(new StackCheckContext(stack, services, errors));
        errors.ThrowIfAny();
        return new SectionReadResult(stack, context.ServicesOptional, services);
    }

    private static string[] KeysOf(YamlMappingNode node) =>
        [.. node.Children.Keys.Select(k => (k as YamlScalarNode)?.Value ?? string.Empty)];
}
