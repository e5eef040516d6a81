namespace Shoal.Processes;

/// <summary>The unprivileged identity a process runs as.</summary>
/// <param name="Name">The user's name (or its number when it has no entry in /etc/passwd).</param>
/// <param name="Uid">The user id.</param>
/// <param name="Gid">The primary group id.</param>
public sealed record ProcessUser(string Name, uint Uid, uint Gid);
