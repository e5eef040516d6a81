using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Configuration;

/// <summary>Collects located errors while a configuration file is read.</summary>
public sealed class YamlErrors(string file)
{
    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigError> _warnings = [];

    /// <summary>The file as the user named it.</summary>
    public string File { get; } = file;

    /// <summary>Every error so far.</summary>
    public IReadOnlyList<ConfigError> All => _errors;

    /// <summary>What was read but deserves a word (an unset variable, a key Shoal cannot honour), in the order found.</summary>
    public IReadOnlyList<ConfigError> Warnings => _warnings;

    /// <summary>Adds a warning at a node: the file is still usable.</summary>
    public void Warn(YamlNode node, string field, string message) =>
        _warnings.Add(new ConfigError(File, (int)Math.Clamp(node.Start.Line, 1, int.MaxValue), (int)Math.Clamp(node.Start.Column, 1, int.MaxValue), field, message));

    /// <summary>Adds an error at a position.</summary>
    /// <remarks>A position before the file's start (an empty mark) reads as 1:1: every error points somewhere in the file.</remarks>
    public void Add(Mark at, string field, string message) =>
        _errors.Add(new ConfigError(File, (int)Math.Clamp(at.Line, 1, int.MaxValue), (int)Math.Clamp(at.Column, 1, int.MaxValue), field, message));

    /// <summary>Throws a <see cref="ConfigFileException"/> with every error, in file order, if there is any.</summary>
    /// <exception cref="ConfigFileException">There are errors.</exception>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new ConfigFileException(_errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
    }

    /// <summary>Adds an error at a node.</summary>
    public void Add(YamlNode node, string field, string message) => Add(node.Start, field, message);
}
