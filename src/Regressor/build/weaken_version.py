#!/usr/bin/env python3
"""Marks a symbol-version requirement of an ELF shared library weak, so the dynamic linker loads it without it.

TorchSharp 0.107.0's libLibTorchSharp.so was linked by GCC 13 and requires GLIBCXX_3.4.32 from libstdc++.so.6;
Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so dlopen fails. The one symbol of that version,
_ZSt21ios_base_library_initv, is referenced but never relocated, so the library works once the requirement is
weak: the loader then only warns (with LD_DEBUG) instead of refusing.

The requirement lives in .gnu.version_r (SHT_GNU_verneed): a chain of Elf64_Verneed records, one per needed file,
each with a chain of Elf64_Vernaux records, one per version. Setting VER_FLG_WEAK (0x2) in the vna_flags of the
record named GLIBCXX_3.4.32 is the whole patch: two bytes, the file's size unchanged.

Usage: weaken_version.py [--version NAME] [--libstdcxx PATH | --always] FILE...
  Without --always, a file is patched only when the system's libstdc++ lacks the version (checked by looking for
  the version's name in the library's bytes). Idempotent; a file that does not require the version, or whose
  requirement is already weak, is left untouched. A patched file is written to a temporary file and renamed over
  the original (so a hard link into the NuGet cache is never written through), keeping the original's times so
  MSBuild's incremental copy leaves the patched copy alone.
Exit status: 0 on success (patched or nothing to do), 1 on an error (one line on stderr).
"""
import argparse
import os
import struct
import sys
import tempfile

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2
DEFAULT_VERSION = "GLIBCXX_3.4.32"
LIBSTDCXX_CANDIDATES = (
    "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
    "/usr/lib64/libstdc++.so.6",
    "/usr/lib/libstdc++.so.6",
    "/lib/x86_64-linux-gnu/libstdc++.so.6",
)


class ElfError(Exception):
    pass


def _cstring(data, offset):
    end = data.find(b"\0", offset)
    if end < 0:
        raise ElfError("unterminated string in .dynstr")
    return data[offset:end].decode("ascii", "replace")


def find_requirements(data):
    """Yields (flags_offset, file_name, version_name, flags) for every Vernaux record of an ELF64 little-endian file."""
    if data[:4] != b"\x7fELF":
        raise ElfError("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise ElfError("only 64-bit little-endian ELF files are supported")
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    if e_shoff == 0 or e_shentsize < 64 or e_shoff + e_shnum * e_shentsize > len(data):
        raise ElfError("no usable section header table")
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    for _name, sh_type, _flags, _addr, sh_offset, sh_size, sh_link, sh_info, _align, _entsize in sections:
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab_offset = sections[sh_link][4]
        need, count = sh_offset, sh_info
        for _ in range(count):
            _vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, need)
            file_name = _cstring(data, strtab_offset + vn_file)
            aux = need + vn_aux
            for _ in range(vn_cnt):
                _hash, vna_flags, _other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                yield aux + 4, file_name, _cstring(data, strtab_offset + vna_name), vna_flags
                if vna_next == 0:
                    break
                aux += vna_next
            if vn_next == 0:
                break
            need += vn_next
            if need >= sh_offset + sh_size:
                break


def system_has_version(version, libstdcxx):
    paths = [libstdcxx] if libstdcxx else [p for p in LIBSTDCXX_CANDIDATES if os.path.exists(p)]
    if not paths:
        return False
    with open(paths[0], "rb") as f:
        return b"\0" + version.encode("ascii") + b"\0" in f.read()


def weaken(path, version):
    """Returns 'patched', 'already weak' or 'not required'."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    hits = [(offset, flags) for offset, _file, name, flags in find_requirements(data) if name == version]
    if not hits:
        return "not required"
    todo = [(offset, flags) for offset, flags in hits if not flags & VER_FLG_WEAK]
    if not todo:
        return "already weak"
    for offset, flags in todo:
        struct.pack_into("<H", data, offset, flags | VER_FLG_WEAK)
    stat = os.stat(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".weaken-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(temp, stat.st_mode & 0o7777)
        os.utime(temp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return "patched"


def main(argv):
    parser = argparse.ArgumentParser(description="Mark a symbol-version requirement of ELF files weak.")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--version", default=DEFAULT_VERSION, help="version name (default %(default)s)")
    parser.add_argument("--libstdcxx", help="the libstdc++.so.6 to check (default: the system's)")
    parser.add_argument("--always", action="store_true", help="patch even if the system library has the version")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if not args.always and system_has_version(args.version, args.libstdcxx):
        if not args.quiet:
            print(f"weaken_version: the system's libstdc++ provides {args.version}; nothing to do")
        return 0
    try:
        for path in args.files:
            result = weaken(path, args.version)
            if not args.quiet:
                print(f"weaken_version: {path}: {args.version} {result}")
    except (OSError, ElfError, struct.error) as e:
        print(f"weaken_version: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
