namespace Shoal.Gateway.Resilience;

/// <summary>The states of a <see cref="CircuitBreaker"/>.</summary>
public enum CircuitState
{
    /// <summary>Requests flow.</summary>
    Closed,

    /// <summary>No requests until the break ends.</summary>
    Open,

    /// <summary>One probe request decides.</summary>
    HalfOpen,
}
