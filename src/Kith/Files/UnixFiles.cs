using System.Runtime.InteropServices;

namespace Kith.Files;

/// <summary>The few POSIX calls .NET does not wrap: chown and syncfs.</summary>
internal static partial class UnixFiles
{
    private static readonly Lazy<UnixFileMode> ProcessUmask = new(ReadUmask);

    /// <summary>True when the process umask would remove bits of <paramref name="mode"/> at creation.</summary>
    public static bool NarrowedByUmask(UnixFileMode mode) => (mode & ProcessUmask.Value) != 0;

    /// <summary>The umask from /proc/self/status (reading it with umask(2) would have to change it); all bits if unknown.</summary>
    private static UnixFileMode ReadUmask()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                {
                    return (UnixFileMode)Convert.ToInt32(line[6..].Trim(), 8);
                }
            }
        }
        catch (IOException)
        {
        }

        return (UnixFileMode)0x1FF;
    }

    /// <summary>Flushes every file of the file system holding <paramref name="path"/> in one call.</summary>
    public static void SyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        const int ReadOnlyDirectory = 0x10000;
        var fd = Open(path, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"{path}: cannot open folder to flush its file system (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (SyncFs(fd) != 0)
            {
                throw new IOException($"{path}: syncfs failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Changes owner and group of a file or, with <paramref name="noFollow"/>, of a symlink itself; -1 keeps a field.</summary>
    public static void ChangeOwner(string path, int uid, int gid, bool noFollow = false)
    {
        var result = noFollow ? LChown(path, uid, gid) : Chown(path, uid, gid);
        if (result != 0)
        {
            throw new IOException($"{path}: cannot change owner (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>rename(2): atomically replaces <paramref name="to"/>, even a symlink to a folder.</summary>
    public static void Rename(string from, string to)
    {
        if (RenameNative(from, to) != 0)
        {
            throw new IOException($"{to}: cannot replace (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>fsync(2) on a folder, which .NET will not open as a file: makes renames inside it durable.</summary>
    public static void SyncFolder(string path)
    {
        const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux
        var fd = Open(path, OperatingSystem.IsLinux() ? ReadOnlyDirectory : 0);
        if (fd < 0)
        {
            throw new IOException($"{path}: cannot open folder to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"{path}: fsync failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>mkdir(2): creates a folder with <paramref name="mode"/>; anything already at the path (a symlink too) is an error.</summary>
    public static void MakeDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            if (Path.Exists(path))
            {
                throw new IOException($"{path}: already exists");
            }

            Directory.CreateDirectory(path);
            return;
        }

        if (MkDir(path, (int)mode) != 0)
        {
            throw new IOException($"{path}: cannot create folder (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkDir(string path, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameNative(string from, string to);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChown(string path, int owner, int group);
}
