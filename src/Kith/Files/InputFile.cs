namespace Kith.Files;

/// <summary>Reads a user-named input file, turning every way it can be wrong into one clear line.</summary>
public static class InputFile
{
    /// <summary>No certificate, key, CSR or passphrase file kith reads is anywhere near this size.</summary>
    public const long DefaultMaxBytes = 1 << 20;

    public static byte[] ReadBytes(string path, long maxBytes = DefaultMaxBytes)
    {
        if (Directory.Exists(path))
        {
            throw new KithException($"{path}: is a directory, expected a file");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        }
        catch (FileNotFoundException)
        {
            throw new KithException($"{path}: no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new KithException($"{path}: no such file (its folder does not exist)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new KithException($"{path}: permission denied");
        }
        catch (IOException e)
        {
            throw new KithException($"{path}: cannot read ({e.Message})");
        }

        using (stream)
        {
            if (stream.CanSeek && stream.Length > maxBytes)
            {
                throw new KithException($"{path}: is {stream.Length} bytes, larger than the {maxBytes} bytes allowed for this kind of file");
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    throw new KithException($"{path}: larger than the {maxBytes} bytes allowed for this kind of file");
                }
            }

            return buffer.ToArray();
        }
    }

    public static string ReadText(string path, long maxBytes = DefaultMaxBytes)
    {
        var bytes = ReadBytes(path, maxBytes);
        if (bytes.AsSpan().IndexOf((byte)0) >= 0)
        {
            throw new KithException($"{path}: contains NUL bytes; expected a text file");
        }

        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new KithException($"{path}: is not UTF-8 text");
        }
    }
}
