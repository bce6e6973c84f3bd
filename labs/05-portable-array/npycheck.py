# npycheck.py — the grader's look at an NPY file for lab 05, from outside:
# the header's bytes as written, then numpy's reading of it.
#
#   python3 npycheck.py FILE ROWS COLS
#
# Prints key=value lines: header (ok, or what is wrong), descr, shape,
# fortran, values (ok, or the first wrong element), numpy (ok, or its error).
import ast
import os
import sys

path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def say(key, text):
    text = "".join(ch if " " <= ch <= "~" else "\\x%02x" % ord(ch) for ch in str(text))
    print("%s=%s" % (key, text[:200]))


with open(path, "rb") as f:
    raw = f.read(1 << 16)
size = os.stat(path).st_size

why = ""
if raw[:6] != b"\x93NUMPY":
    why = "it does not start with \\x93NUMPY but with %r" % raw[:6]
elif raw[6:8] != b"\x01\x00":
    why = "version %d.%d, not 1.0" % (raw[6], raw[7])
else:
    hlen = raw[8] | raw[9] << 8
    off = 10 + hlen
    if off > len(raw):
        why = "HEADER_LEN %d (little-endian) runs past the file" % hlen
    elif off % 64:
        why = "the data starts at offset %d, not a multiple of 64" % off
    elif raw[off - 1:off] != b"\n":
        why = "the header does not end with a newline (HEADER_LEN %d)" % hlen
    elif size != off + rows * cols * 8:
        why = "the file is %d bytes, not %d (header) + %d x %d x 8" % (size, off, rows, cols)
say("header", why or "ok")

try:
    import numpy as np
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format._read_array_header(f, version)
    a = np.load(path, mmap_mode="r", allow_pickle=False)
except Exception as e:
    say("numpy", "%s: %s" % (type(e).__name__, e))
    sys.exit(0)
say("numpy", "ok")
# The descr as written: numpy itself shows '<' and '=' alike on this machine.
try:
    descr = ast.literal_eval(raw[10:10 + (raw[8] | raw[9] << 8)].decode("latin-1")).get("descr")
except Exception:
    descr = dtype.str
say("descr", descr)
say("shape", shape)
say("fortran", fortran)
flat = np.asarray(a).reshape(-1)
want = np.array([r * 1000 + c for r in range(rows) for c in range(cols)], dtype="i8")
if flat.shape != want.shape:
    say("values", "%d elements, not %d" % (flat.size, want.size))
else:
    bad = np.nonzero(flat != want)[0]
    if bad.size:
        k = int(bad[0])
        say("values", "element %d (a[%d][%d]) reads %d, not %d" % (k, k // cols, k % cols, int(flat[k]), int(want[k])))
    else:
        say("values", "ok")
