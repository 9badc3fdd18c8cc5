using System.Text.Json.Serialization;

namespace Kith.Acme.Store;

/// <summary>Source-generated JSON for the store's JSON columns (an account's contacts, an order's identifiers).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(AcmeIdentifier[]))]
internal sealed partial class AcmeStoreJson : JsonSerializerContext;
