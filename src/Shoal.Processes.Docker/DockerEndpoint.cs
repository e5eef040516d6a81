namespace Shoal.Processes.Docker;

/// <summary>Where the Docker engine listens: <c>DOCKER_HOST</c> as the docker CLI reads it, else the default socket.</summary>
public static class DockerEndpoint
{
    /// <summary>The variable that points clients at another engine.</summary>
    public const string Variable = "DOCKER_HOST";

    /// <summary>The engine's default socket.</summary>
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    /// <summary>The engine's address from <paramref name="dockerHost"/> (the value of <c>DOCKER_HOST</c>), or the default socket when it is unset.</summary>
    /// <exception cref="ProcessStartException">The value is not an address the client can use.</exception>
    public static Uri Resolve(string? dockerHost)
    {
        var value = string.IsNullOrWhiteSpace(dockerHost) ? DefaultSocket : dockerHost.Trim();
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https"))
        {
            throw new ProcessStartException($"runtime 'docker': {Variable}='{value}' is not a unix://, tcp:// or http(s):// address.");
        }

        return uri;
    }

    /// <summary>The message for an engine that does not answer at <paramref name="endpoint"/>: what to install and start.</summary>
    public static string NotRunning(Uri endpoint, string? detail = null) =>
        $"runtime 'docker' needs a running Docker engine at {endpoint.OriginalString}: install docker.io and start dockerd, or set {Variable}"
        + (detail is null ? "." : $" ({detail}).");
}
