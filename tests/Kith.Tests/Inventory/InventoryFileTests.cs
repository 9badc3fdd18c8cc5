using System.Text;
using Kith.Inventory;

namespace Kith.Tests.Inventory;

public sealed class InventoryFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("kith-inventory-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static KithException Refused(string path, string keyword)
    {
        var e = Assert.Throws<KithException>(() => InventoryLoader.LoadFile(path));
        Assert.IsNotType<InventoryException>(e);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(keyword, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void Missing_file_is_refused_naming_the_file() =>
        Refused(Path.Combine(_dir.FullName, "kith.yaml"), "not found");

    [Fact]
    public void Directory_is_refused_naming_the_file() =>
        Refused(_dir.FullName, "is a directory");

    [Fact]
    public void Invalid_utf8_is_refused_naming_the_file() =>
        Refused(Write("latin1.yaml", [.. "domain: b"u8, 0xFC, .. "cher.arpa\n"u8]), "not UTF-8");

    [Fact]
    public void Nul_bytes_are_refused_naming_the_file() =>
        Refused(Write("binary.yaml", [.. "domain: home.arpa\n"u8, 0, 1, 2]), "NUL");

    [Fact]
    public void File_over_4_MiB_is_refused_naming_the_file() =>
        Refused(Write("huge.yaml", Encoding.ASCII.GetBytes("# " + new string('x', InventoryLoader.MaxFileBytes) + "\n")), "4 MiB");

    [Fact]
    public void Utf8_file_with_a_byte_order_mark_loads_and_errors_name_the_path()
    {
        var path = Write("kith.yaml", [.. Encoding.UTF8.Preamble, .. "domain: home.arpa\nzones: [bücher.arpa]\n"u8]);
        Assert.Equal(["xn--bcher-kva.arpa"], InventoryLoader.LoadFile(path).Zones);

        var bad = Write("bad.yaml", "domain: home.arpa\nmachines: [a]\n"u8.ToArray());
        var error = Assert.Single(Assert.Throws<InventoryException>(() => InventoryLoader.LoadFile(bad)).Errors);
        Assert.Equal((bad, 2, 11, "machines"), (error.File, error.Line, error.Column, error.Field));
    }
}
