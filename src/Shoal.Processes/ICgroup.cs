namespace Shoal.Processes;

/// <summary>The cgroup (one directory per controller on v1, one on v2) that holds one instance.</summary>
public interface ICgroup
{
    /// <summary>Its directories, as a handle reports them in <see cref="IProcessHandle.Cgroups"/> so a later run can clean up.</summary>
    IReadOnlyList<string> Paths { get; }

    /// <summary>The <c>cgroup.procs</c> files a launcher writes its own pid (<c>$$</c>) into before it execs the program.</summary>
    IReadOnlyList<string> JoinTargets { get; }

    /// <summary>Its path relative to the hierarchy's root (e.g. <c>/shoal/i-1</c>), as an OCI runtime's <c>linux.cgroupsPath</c> names it.</summary>
    string RelativePath { get; }

    /// <summary>Freezes (or thaws) every task in it and returns once the kernel reports the new state (bounded wait).</summary>
    void SetFrozen(bool frozen);

    /// <summary>What it uses now; zero for what cannot be read.</summary>
    ResourceUsage ReadUsage();

    /// <summary>Kills every task left in it (thawed first: a frozen task cannot die) and removes it.</summary>
    void KillAndRemove();
}
