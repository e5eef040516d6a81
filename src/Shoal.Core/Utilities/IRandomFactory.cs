namespace Shoal.Utilities;

/// <summary>Creates random number generators, so tests can make choices deterministic.</summary>
public interface IRandomFactory
{
    /// <summary>A generator for the calling code to own.</summary>
    Random CreateRandomInstance();
}
