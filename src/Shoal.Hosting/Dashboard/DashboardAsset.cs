namespace Shoal.Hosting.Dashboard;

/// <summary>One embedded file of the dashboard, ready to send: its bytes, content type and strong ETag.</summary>
internal sealed record DashboardAsset(byte[] Content, string ContentType, string ETag);
