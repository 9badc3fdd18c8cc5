using System.Text.Json.Serialization;

namespace Kith.Fleet;

/// <summary>Source-generated JSON for the fleet state and its envelope (no reflection: the native build serializes).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(FleetState))]
[JsonSerializable(typeof(SignedFleetState))]
internal sealed partial class FleetStateJson : JsonSerializerContext;
