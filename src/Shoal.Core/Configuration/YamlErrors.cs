using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Configuration;

/// <summary>Collects located errors while a configuration file is read.</summary>
/// <remarks>
/// A file assembled from several (Compose's <c>-f</c> files, <c>include:</c>, an override file) records where each
/// node came from (<see cref="Attribute(YamlNode, string, Mark)"/>): an error or warning at such a node names that file
/// and position, not the file the reader was given.
/// </remarks>
public sealed class YamlErrors(string file)
{
    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigError> _warnings = [];
    private readonly Dictionary<YamlNode, (string File, Mark At)> _origins = new(ReferenceEqualityComparer.Instance);

    /// <summary>The file as the user named it.</summary>
    public string File { get; } = file;

    /// <summary>Every error so far.</summary>
    public IReadOnlyList<ConfigError> All => _errors;

    /// <summary>What was read but deserves a word (an unset variable, a key Shoal cannot honour), in the order found.</summary>
    public IReadOnlyList<ConfigError> Warnings => InFileOrder(_warnings);

    /// <summary>Adds a warning at a node: the file is still usable.</summary>
    public void Warn(YamlNode node, string field, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        var (file, at) = Locate(node);
        _warnings.Add(Error(file, at, field, message));
    }

    /// <summary>Adds an error at a position.</summary>
    /// <remarks>A position before the file's start (an empty mark) reads as 1:1: every error points somewhere in the file.</remarks>
    public void Add(Mark at, string field, string message) => _errors.Add(Error(File, at, field, message));

    /// <summary>Throws a <see cref="ConfigFileException"/> with every error, in file order, if there is any.</summary>
    /// <exception cref="ConfigFileException">There are errors.</exception>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new ConfigFileException(InFileOrder(_errors));
        }
    }

    /// <summary>Adds an error at a node (in the file it came from, see <see cref="Attribute(YamlNode, string, Mark)"/>).</summary>
    public void Add(YamlNode node, string field, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        var (file, at) = Locate(node);
        _errors.Add(Error(file, at, field, message));
    }

    /// <summary>Records that <paramref name="node"/> stands for what is written in <paramref name="file"/> at <paramref name="at"/>.</summary>
    public void Attribute(YamlNode node, string file, Mark at) => _origins[node] = (file, at);

    /// <summary>Records that <paramref name="made"/> (a node built while reading) stands for <paramref name="source"/>, wherever that came from.</summary>
    public void Attribute(YamlNode made, YamlNode source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _origins[made] = Locate(source);
    }

    /// <summary>Records that every node under <paramref name="root"/> was read from <paramref name="file"/>.</summary>
    public void AttributeAll(YamlNode root, string file)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var node in root.AllNodes)
        {
            _origins.TryAdd(node, (file, node.Start));
        }
    }

    /// <summary>Takes over the errors and warnings of another file read for this one (an included or override file).</summary>
    public void Include(YamlErrors other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _errors.AddRange(other._errors);
        _warnings.AddRange(other._warnings);
    }

    /// <summary>The file and position a node stands for.</summary>
    public (string File, Mark At) Locate(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _origins.TryGetValue(node, out var origin) ? origin : (File, node.Start);
    }

    // This file's first, then each other file's, each in line order.
    private List<ConfigError> InFileOrder(List<ConfigError> all) =>
        all.OrderBy(e => e.File == File ? 0 : 1).ThenBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line).ThenBy(e => e.Column).ToList();

    private static ConfigError Error(string file, Mark at, string field, string message) =>
        new(file, (int)Math.Clamp(at.Line, 1, int.MaxValue), (int)Math.Clamp(at.Column, 1, int.MaxValue), field, message);
}
