namespace Kith.Files;

/// <summary>
/// Writes a file so that readers see either the old content or the new, never a mix: a temporary file
/// in the same folder, created with its final mode (a key is never readable by others, not even briefly),
/// flushed to disk, then renamed over the target, and the folder flushed.
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicMode = PrivateMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool durable = true)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                if (!OperatingSystem.IsWindows() && UnixFiles.NarrowedByUmask(mode))
                {
                    // The umask narrowed the create mode; set exactly what was asked, through the open file
                    // (fchmod), never by name: the name could be swapped for a symlink in between.
                    File.SetUnixFileMode(stream.SafeFileHandle, mode);
                }

                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }

            File.Move(temporary, path, overwrite: true);
            if (durable)
            {
                FlushFolder(folder);
            }
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static void WriteText(string path, string content, UnixFileMode mode, bool durable = true) =>
        Write(path, System.Text.Encoding.UTF8.GetBytes(content), mode, durable);

    /// <summary>fsync on a folder makes a rename inside it durable.</summary>
    public static void FlushFolder(string folder)
    {
        UnixFiles.SyncFolder(folder);
    }
}
