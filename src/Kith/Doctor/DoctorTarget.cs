namespace Kith.Doctor;

/// <summary>One name to check, and what the inventory says about it.</summary>
/// <param name="Name">The DNS name, lower-case.</param>
/// <param name="Service">The service whose certificate carries the name, or null when no service of the inventory does.</param>
/// <param name="Machine">The machine whose agent issues that certificate, or null with <paramref name="Service"/>.</param>
/// <param name="InFleetZone">The name lies within the domain or one of the inventory's zones (the fleet DNS answers for it).</param>
public sealed record DoctorTarget(string Name, string? Service, string? Machine, bool InFleetZone)
{
    /// <summary>"service S on M", or "no service" for a name the inventory lacks.</summary>
    public string Owner => Service is null ? "no service" : $"service {Service} on {Machine}";
}
