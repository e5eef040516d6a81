using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary>
/// Reads Compose files into one document: each file's <c>include:</c> first, then the file over what it includes, then
/// every later <c>-f</c> file over the earlier ones (<see cref="ComposeMerge"/>). Nodes keep their marks; those of a
/// file other than the first are attributed to it in the <see cref="YamlErrors"/>, so errors name the right file.
/// </summary>
internal sealed class ComposeReader(YamlErrors errors, FileVariables variables)
{
    /// <summary>How deep <c>include:</c> may nest: deeper is surely a mistake, and each level holds a file in memory.</summary>
    public const int MaxIncludeDepth = 16;

    /// <summary>How many files one stack may read in all.</summary>
    public const int MaxFiles = 64;

    /// <summary>The largest Compose file read (a stack file is a few kilobytes).</summary>
    public const long MaxFileBytes = 1 << 20;

    private const string Shape = "a Compose file must be a mapping with a 'services:' section";

    private int _files;

    /// <summary>The directory of the file each node came from, for paths written relative to it (env_file).</summary>
    public Dictionary<YamlNode, string> Directories { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>The merged document, or null when the first file cannot be read as YAML (the errors say why).</summary>
    /// <param name="files">Each file's path and how messages name it; the first is the one the errors name.</param>
    public YamlMappingNode? Read(IReadOnlyList<(string Path, string Display)> files)
    {
        YamlMappingNode? result = null;
        foreach (var (path, display) in files)
        {
            var document = ReadFile(path, display, [], null);
            if (document is null)
            {
                if (result is null)
                {
                    return null;
                }

                continue;
            }

            result = result is null ? document : ComposeMerge.Merge(result, document, string.Empty, errors);
        }

        return result;
    }

    private YamlMappingNode? ReadFile(string path, string display, List<string> chain, YamlNode? namedAt)
    {
        var full = Path.GetFullPath(path);
        if (++_files > MaxFiles)
        {
            errors.Add(namedAt!, "include", $"more than {MaxFiles} Compose files in one stack: '{display}' is not read");
            return null;
        }

        string text;
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                return Missing("no such file");
            }

            if (info.Length > MaxFileBytes)
            {
                return Missing($"{info.Length} bytes: a Compose file may have at most {MaxFileBytes}");
            }

            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Missing($"cannot read: {ex.Message}");
        }

        // The first file's errors are the loader's own; another file's are its own, taken over once read.
        var first = namedAt is null && chain.Count == 0 && _files == 1;
        var fileErrors = first ? errors : new YamlErrors(display);
        var root = YamlDocuments.LoadMapping(text, fileErrors, Shape, variables);
        if (!first)
        {
            errors.Include(fileErrors);
            if (root is not null)
            {
                errors.AttributeAll(root, display);
            }
        }

        if (root is null)
        {
            return null;
        }

        ComposeMerge.ExpandMergeKeys(root, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance));
        var directory = Path.GetDirectoryName(full)!;
        foreach (var node in root.AllNodes)
        {
            Directories.TryAdd(node, directory);
        }

        return ReadIncludes(root, display, directory, [.. chain, full]);

        YamlMappingNode? Missing(string reason)
        {
            if (namedAt is null)
            {
                throw new ConfigFileException($"{display}: {reason}.");
            }

            errors.Add(namedAt, "include", $"'{YamlFields.Printable(display)}': {reason}");
            return null;
        }
    }

    // include: [a.yml, {path: b.yml}, {path: [c.yml, c.override.yml]}]: the included files are read first, this file over them.
    private YamlMappingNode ReadIncludes(YamlMappingNode root, string display, string directory, List<string> chain)
    {
        var key = root.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "include" });
        if (key is null)
        {
            return root;
        }

        var list = root.Children[key];
        root.Children.Remove(key);
        if (list is not YamlSequenceNode entries)
        {
            errors.Add(list, "include", $"expected a list of files (or of {{ path: … }}), got {YamlFields.Describe(list)}");
            return root;
        }

        YamlMappingNode? included = null;
        for (var i = 0; i < entries.Children.Count; i++)
        {
            foreach (var (node, file) in IncludePaths(entries.Children[i], $"include[{i}]"))
            {
                var target = Path.GetFullPath(Path.Combine(directory, file));
                var shown = Path.Combine(Path.GetDirectoryName(display) ?? string.Empty, file);
                if (chain.Contains(target, StringComparer.Ordinal))
                {
                    var names = chain.SkipWhile(c => c != target).Append(target).Select(Path.GetFileName);
                    errors.Add(node, $"include[{i}]", $"include cycle: {string.Join(" -> ", names)}");
                    continue;
                }

                if (chain.Count >= MaxIncludeDepth)
                {
                    errors.Add(node, $"include[{i}]", $"includes nest more than {MaxIncludeDepth} deep: '{YamlFields.Printable(file)}' is not read");
                    continue;
                }

                if (ReadFile(target, shown, chain, node) is { } document)
                {
                    included = included is null ? document : ComposeMerge.Merge(included, document, string.Empty, errors);
                }
            }
        }

        return included is null ? root : ComposeMerge.Merge(included, root, string.Empty, errors);
    }

    private IEnumerable<(YamlNode Node, string File)> IncludePaths(YamlNode entry, string field)
    {
        switch (entry)
        {
            case YamlScalarNode { Value: { Length: > 0 } file }:
                yield return (entry, file);
                break;
            case YamlMappingNode map:
                var f = new YamlFields(map, field, errors, "path", "env_file", "project_directory");
                foreach (var ignored in new[] { "env_file", "project_directory" }.Where(k => f.KeyNode(k) is not null))
                {
                    errors.Warn(f.KeyNode(ignored)!, f.FieldPath(ignored), "not honoured: an included file reads the same variables and resolves paths beside itself");
                }

                switch (f.Get("path"))
                {
                    case YamlScalarNode { Value: { Length: > 0 } one } node:
                        yield return (node, one);
                        break;
                    case YamlSequenceNode:
                        foreach (var (node, file) in f.GetStringList("path")!)
                        {
                            yield return (node, file);
                        }

                        break;
                    default:
                        errors.Add(map, f.FieldPath("path"), "an include entry needs 'path': the file (or list of files) to include");
                        break;
                }

                break;
            default:
                errors.Add(entry, field, $"expected a file name or {{ path: … }}, got {YamlFields.Describe(entry)}");
                break;
        }
    }
}
