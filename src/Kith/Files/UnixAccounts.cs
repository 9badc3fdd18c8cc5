namespace Kith.Files;

/// <summary>Looks up users and groups by name in /etc/passwd and /etc/group (no NSS: local accounts only).</summary>
public static class UnixAccounts
{
    public static int? UserId(string name) => Lookup("/etc/passwd", name);

    public static int? GroupId(string name) => Lookup("/etc/group", name);

    /// <summary>The primary group of a user, for "owner without group".</summary>
    public static int? PrimaryGroupOf(string user) => Field("/etc/passwd", user, 3);

    private static int? Lookup(string file, string name) => Field(file, name, 2);

    private static int? Field(string file, string name, int index)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in File.ReadLines(file))
        {
            var fields = line.Split(':');
            if (fields.Length > index && fields[0] == name && int.TryParse(fields[index], out var id))
            {
                return id;
            }
        }

        return null;
    }
}
