namespace Shoal.Orchestration.Build;

/// <summary>A <c>project:</c> service could not be built.</summary>
public sealed class ProjectBuildException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProjectBuildException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public ProjectBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public ProjectBuildException()
    {
    }
}
