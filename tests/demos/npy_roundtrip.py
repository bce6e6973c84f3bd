"""numpy's side of the NPY round trips in tests/demos/10-mapped-array.sh.

Run with Debian's numpy: /usr/bin/python3 tests/demos/npy_roundtrip.py CMD ...

  check FILE DESCR COUNT        numpy reads what 10-mapped-array wrote: the
                                type, the shape, a[i] == i at the eight
                                indexes it sets, zeros beside them
  write FILE DESCR SHAPE ORDER VERSION
                                numpy writes an array whose element j in file
                                order is value(j) (see below); SHAPE is 2x5,
                                ORDER C or F, VERSION 1 or 2
  write-big FILE                a > 4 GiB '<f8' file, sparse, three values set
  write-other FILE KIND         an array of a type 10-mapped-array refuses

Big files are only ever opened with mmap_mode="r" or open_memmap, so nothing
is read into memory.  Exit 0 and "ok" on success, 1 with the reason.
"""
import sys

import numpy as np
from numpy.lib.format import open_memmap


def value(descr, j):
    """Element j (file order) of the arrays written here."""
    kind = np.dtype(descr).kind
    if kind == "b":
        return j % 2 == 1
    if kind == "f":
        return j * 0.5 - 3
    if kind == "i":
        return j - 3
    return j


def fail(why):
    print("npy_roundtrip: " + why)
    sys.exit(1)


def check(path, descr, count):
    count = int(count)
    a = np.load(path, mmap_mode="r")
    if a.dtype.str != descr:
        fail("dtype %s, wanted %s" % (a.dtype.str, descr))
    if a.shape != (count,):
        fail("shape %r, wanted (%d,)" % (a.shape, count))
    set_at = {k * (count - 1) // 7 for k in range(8)}
    for i in sorted(set_at):
        if a[i] != i:
            fail("a[%d] = %r, wanted %d" % (i, a[i], i))
        if i + 1 < count and i + 1 not in set_at and a[i + 1] != 0:
            fail("a[%d] = %r, wanted 0" % (i + 1, a[i + 1]))
    print("ok %s %d elements, %d bytes" % (a.dtype.str, a.size, a.nbytes))


def write(path, descr, shape, order, version):
    shape = tuple(int(x) for x in shape.split("x"))
    a = open_memmap(path, mode="w+", dtype=np.dtype(descr), shape=shape,
                    fortran_order=(order == "F"), version=(int(version), 0))
    n = a.size
    flat = np.array([value(descr, j) for j in range(n)], dtype=np.dtype(descr))
    # Element j in file order: reshape in the file's own order.
    a[...] = flat.reshape(shape, order=order)
    a.flush()
    del a
    print("ok")


def write_big(path):
    n = (1 << 29) + 10                      # 4 GiB + 80 bytes of data
    a = open_memmap(path, mode="w+", dtype=np.dtype("<f8"), shape=(n,))
    a[0] = 1.5
    a[1 << 29] = 3.25                       # the first element past 4 GiB
    a[n - 1] = -2.5
    a.flush()
    del a
    print("ok")


def write_other(path, kind):
    arrays = {
        "complex": np.zeros(3, dtype="<c16"),
        "unicode": np.array(["abc", "de"], dtype="<U3"),
        "structured": np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")]),
        "datetime": np.zeros(2, dtype="<M8[ns]"),
        "half": np.zeros(2, dtype="<f2"),
    }
    np.save(path, arrays[kind])
    print("ok")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"check": check, "write": write, "write-big": write_big,
     "write-other": write_other}[cmd](*args)


if __name__ == "__main__":
    main()
