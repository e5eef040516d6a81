namespace Shoal.Gateway.LoadBalancing;

/// <summary>A strategy plugin could not be loaded.</summary>
public sealed class PluginLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public PluginLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public PluginLoadException()
    {
    }
}
