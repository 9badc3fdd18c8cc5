using Kith.Inventory;

namespace Kith.Tests.Inventory;

/// <summary>Loads inventory text and asserts on the located errors it produces.</summary>
internal static class InventoryAssert
{
    /// <summary>Three lines: the domain and one machine, for tests that add services below (from line 4).</summary>
    public const string Base = """
        domain: home.arpa
        machines:
          storage: { addresses: [100.64.0.10] }
        """;

    public static FleetInventory Loads(string yaml) => InventoryLoader.Parse(yaml, "kith.yaml");

    public static IReadOnlyList<InventoryError> Fails(string yaml) =>
        Assert.Throws<InventoryException>(() => InventoryLoader.Parse(yaml, "kith.yaml")).Errors;

    /// <summary>Asserts the text fails with an error at exactly this place, field and keyword.</summary>
    public static InventoryError HasError(string yaml, int line, int column, string field, string keyword)
    {
        var errors = Fails(yaml);
        var found = errors.FirstOrDefault(e => e.Field == field && e.Line == line && e.Column == column);
        Assert.True(found is not null, $"no error at {line}:{column} for {field}; got:\n{string.Join('\n', errors)}");
        Assert.Equal("kith.yaml", found.File);
        Assert.Contains(keyword, found.Message, StringComparison.Ordinal);
        return found;
    }

    /// <summary>The repository root, found from the test binary's folder.</summary>
    public static string RepositoryFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "kith.slnx")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, relative);
    }
}
