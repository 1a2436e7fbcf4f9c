using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Backprop.Symbolic.Data;

/// <summary>
/// Opens the bytes of a CSV source, decompressing gzip when the name ends in <c>.gz</c> or the bytes start with
/// the gzip signature <c>1F 8B</c>. A gzip stream is decompressed whole and checked against its trailer (the
/// CRC-32 and the length it records), because <see cref="GZipStream"/> returns a truncated stream's partial
/// content without complaint.
/// </summary>
internal static class GzipInput
{
    private const int HeaderAndTrailerLength = 18;

    /// <summary>Whether <paramref name="bytes"/> starts with the gzip signature.</summary>
    internal static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;

    /// <summary>
    /// A readable stream of the source's content: <paramref name="stream"/> itself for plain text, or the
    /// verified decompressed bytes of a gzip stream. The caller disposes both.
    /// </summary>
    internal static Stream Open(Stream stream, string sourceName)
    {
        bool namedGzip = sourceName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        long start = stream.Position;
        Span<byte> signature = stackalloc byte[2];
        int read = stream.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        stream.Position = start;
        bool gzip = HasSignature(signature.Slice(0, read));
        if (!gzip)
        {
            if (namedGzip)
            {
                throw new CsvFormatException(
                    $"{sourceName}: the name ends in .gz but the content does not start with the gzip signature 1F 8B; the file is not gzip-compressed or is corrupt.",
                    sourceName);
            }
            return stream;
        }
        var compressed = new byte[stream.Length - start];
        stream.ReadExactly(compressed);
        return new MemoryStream(Decompress(compressed, sourceName), writable: false);
    }

    private static byte[] Decompress(byte[] compressed, string sourceName)
    {
        if (compressed.Length < HeaderAndTrailerLength)
        {
            throw new CsvFormatException(
                $"{sourceName}: the gzip stream is {compressed.Length} bytes long, shorter than a gzip header and trailer ({HeaderAndTrailerLength} bytes); the file is truncated.",
                sourceName);
        }
        var content = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            gzip.CopyTo(content);
        }
        catch (InvalidDataException e)
        {
            throw new CsvFormatException($"{sourceName}: the gzip data is corrupt ({e.Message}).", sourceName, innerException: e);
        }
        byte[] bytes = content.ToArray();
        uint recordedCrc = BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 8, 4));
        uint recordedLength = BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 4, 4));
        uint crc = Crc32.Compute(bytes);
        if (recordedLength != (uint)bytes.Length || recordedCrc != crc)
        {
            throw new CsvFormatException(
                $"{sourceName}: the gzip stream is truncated or corrupt: its trailer records {recordedLength} bytes with CRC-32 {recordedCrc:X8}, " +
                $"but the data decompressed to {bytes.Length} bytes with CRC-32 {crc:X8}. (A file of several concatenated gzip members is not supported.)",
                sourceName);
        }
        return bytes;
    }

    /// <summary>The CRC-32 of gzip (IEEE 802.3, reflected polynomial 0xEDB88320).</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        internal static uint Compute(ReadOnlySpan<byte> bytes)
        {
            uint crc = 0xFFFFFFFFu;
            foreach (byte b in bytes)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }
            return ~crc;
        }

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }
                table[n] = c;
            }
            return table;
        }
    }
}
