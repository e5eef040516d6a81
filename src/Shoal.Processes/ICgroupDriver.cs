namespace Shoal.Processes;

/// <summary>Makes cgroups with limits on one cgroup version (<see cref="CgroupV1Driver"/>, <see cref="CgroupV2Driver"/>).</summary>
public interface ICgroupDriver
{
    /// <summary>The version's name as runtimes report it: <c>cgroup-v1</c> or <c>cgroup-v2</c>.</summary>
    string Name { get; }

    /// <summary>Makes the instance's cgroup under <c>shoal/</c> with <paramref name="limits"/> applied.</summary>
    /// <exception cref="IOException">The hierarchy refused a directory or a limit.</exception>
    /// <exception cref="UnauthorizedAccessException">The hierarchy is not writable.</exception>
    ICgroup Create(string id, ResourceLimits limits);

    /// <summary>The cgroup whose directories an earlier handle reported, to read or remove it.</summary>
    ICgroup Open(IReadOnlyList<string> paths);
}
