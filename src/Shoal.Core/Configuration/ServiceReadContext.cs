namespace Shoal.Configuration;

/// <summary>What a section reader gets to read its keys of one service.</summary>
/// <param name="name">The service name.</param>
/// <param name="fields">The service's mapping, at <c>services.NAME</c>.</param>
/// <param name="directory">The stack file's directory.</param>
public sealed class ServiceReadContext(string name, YamlFields fields, string directory)
{
    /// <summary>The service name.</summary>
    public string Name { get; } = name;

    /// <summary>The service's mapping.</summary>
    public YamlFields Fields { get; } = fields;

    /// <summary>The stack file's directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>Where errors are collected.</summary>
    public YamlErrors Errors => Fields.Errors;
}
