namespace Shoal.Configuration;

/// <summary>What a section reader gets to read its top-level keys.</summary>
/// <param name="top">The root mapping of the stack file.</param>
/// <param name="directory">The stack file's directory; relative paths resolve against it.</param>
public sealed class StackReadContext(YamlFields top, string directory)
{
    /// <summary>The root mapping of the stack file.</summary>
    public YamlFields Top { get; } = top;

    /// <summary>The stack file's directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>Where errors are collected.</summary>
    public YamlErrors Errors => Top.Errors;

    /// <summary>Set by a reader whose section makes a stack without services valid (a stack of functions only).</summary>
    public bool ServicesOptional { get; set; }
}
