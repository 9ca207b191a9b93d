using System.Buffers.Binary;
using System.Text;

namespace VecLm.Regressor.Tests;

/// <summary>
/// An independent reader of an ELF64 file's version requirements (<c>.gnu.version_r</c>), to check what the
/// patcher script did: each Vernaux record's name, its flags and where the flags are in the file.
/// </summary>
internal static class ElfVersionNeeds
{
    public const ushort Weak = 0x2;
    private const uint ShtGnuVerneed = 0x6FFFFFFE;

    public readonly record struct Need(string File, string Version, ushort Flags, int FlagsOffset);

    public static List<Need> Read(byte[] elf)
    {
        var span = elf.AsSpan();
        Assert.True(span[..4].SequenceEqual("\u007fELF"u8), "not an ELF file");
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var needs = new List<Need>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = span[(int)(shoff + i * shentsize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            int offset = (int)BinaryPrimitives.ReadInt64LittleEndian(sh[24..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            int strtab = (int)BinaryPrimitives.ReadInt64LittleEndian(span[(int)(shoff + link * shentsize + 24)..]);
            int need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[(need + 2)..]);
                string file = CString(span, strtab + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 4)..]));
                int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(span[(aux + 4)..]);
                    string name = CString(span, strtab + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 8)..]));
                    needs.Add(new Need(file, name, flags, aux + 4));
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 12)..]);
                }
                need += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 12)..]);
            }
        }
        return needs;
    }

    /// <summary>Clears the weak flag of <paramref name="version"/>: turns a patched library back into the original.</summary>
    public static void ClearWeak(byte[] elf, string version)
    {
        foreach (var need in Read(elf).Where(n => n.Version == version))
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(need.FlagsOffset), (ushort)(need.Flags & ~Weak));
    }

    private static string CString(ReadOnlySpan<byte> data, int offset)
    {
        int end = data[offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(data.Slice(offset, end));
    }
}
