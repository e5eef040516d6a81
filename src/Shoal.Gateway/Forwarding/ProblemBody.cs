namespace Shoal.Gateway.Forwarding;

/// <summary>An RFC 9457 problem: the four members every Shoal problem carries.</summary>
internal sealed record ProblemBody(string Type, string Title, int Status, string Detail);
