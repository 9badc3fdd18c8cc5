namespace Kith.Storage;

/// <summary>
/// One step of a store's schema. Versions start at 1 and rise by one; a released migration is never
/// edited, only followed by a new one (a database that already ran it would never see the change).
/// </summary>
/// <param name="Version">The schema version this step produces.</param>
/// <param name="Description">What the step does, for people reading <c>schema_migrations</c> and the docs.</param>
/// <param name="Sql">The statements, in the backend's dialect; run in one transaction with the version row.</param>
internal sealed record SchemaMigration(int Version, string Description, string Sql);
