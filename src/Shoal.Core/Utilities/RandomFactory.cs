namespace Shoal.Utilities;

/// <summary>The production factory: thread-local shared randomness.</summary>
public sealed class RandomFactory : IRandomFactory
{
    /// <inheritdoc />
#pragma warning disable RS0030 // The one place randomness comes from.
    public Random CreateRandomInstance() => Random.Shared;
#pragma warning restore RS0030
}
