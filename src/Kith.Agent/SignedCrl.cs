namespace Kith.Agent;

/// <summary>A signed CRL as the agent serves it.</summary>
/// <param name="Der">The CRL.</param>
/// <param name="Number">Its CRL number.</param>
/// <param name="ResignAt">When the agent signs the next one even without a change.</param>
/// <param name="ETag">A quoted entity tag, different for every CRL.</param>
public sealed record SignedCrl(byte[] Der, long Number, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, DateTimeOffset ResignAt, string ETag);
