/* 10-mapped-array.c — a mapped array file larger than 4 GiB, with a header.
 *
 * A 64-bit process maps a 5 GiB file whole and stores at indexes whose
 * offsets need more than 32 bits (Win32 splits sizes and offsets into
 * High and Low DWORDs).  The file is sparse: only the touched pages cost
 * disk.  A bare array file says nothing about itself; this one starts with
 * an NPY header (numpy's format): element type with byte order and size,
 * shape, order, data aligned to 64 bytes.  numpy opens it as it is, and
 * --read opens what numpy writes, in either byte order.
 *
 * Run:   bin/10-mapped-array [-o FILE] [--count N] [--big-endian]   (holds)
 *        bin/10-mapped-array --read FILE
 * Look:  ls -ls FILE (size and blocks); numpy.load(FILE, mmap_mode="r")
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "made.h"
#include "mmaplab.h"
#include "npy.h"

static const char *out = "mmaplab-array.npy", *in;
static long long count = 5LL << 27;              /* 5 GiB of 8-byte floats */
static bool big;

static const struct ml_option opts[] = {
    { "output", 'o', "FILE", "the array file to make; it must not exist (default mmaplab-array.npy)",
      .kind = ML_TEXT, .to = &out },
    { "read", 256, "FILE", "read an NPY file instead: its header and some values",
      .kind = ML_TEXT, .to = &in },
    { "count", 257, "N", "elements to write (default 671088640: 5 GiB)",
      .kind = ML_COUNT, .to = &count, .min = 1, .max = (INT64_MAX - 4096) / 8 },
    { "big-endian", 258, NULL, "write big-endian floats ('>f8') instead of '<f8'",
      .kind = ML_FLAG, .to = &big },
    { .name = NULL },
};

static const struct ml_prog prog = {
    .name = "10-mapped-array",
    .summary = "a mapped array file past 4 GiB, with the NPY header a bare array lacks",
    .teaches =
        "64-bit sizes and offsets let one view cover a file past 4 GiB; a sparse\n"
        "file costs disk only where it was written.  The NPY header records the\n"
        "element type, byte order, shape and order, so numpy and this program\n"
        "read each other's files.  The file is made with O_EXCL: a file or a link\n"
        "already at the path is neither truncated nor followed; the program stops.",
    .prev = "09-reserve-grow", .next = "11-robust-mutex",
    .win32 = "CreateFileMapping(hFile, NULL, PAGE_READWRITE, dwMaximumSizeHigh, dwMaximumSizeLow, NULL)",
    .takes = ML_TAKES_HOLD, .own = opts,
};

static const char *kind_of(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO (named pipe)" : S_ISDIR(m) ? "a directory"
         : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
         : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

static int read_array(void)
{
    struct npy_header h;
    struct stat st;
    char why[512], v[64], type[64];
    int fd;

    ml_set_object(in);
    ml_step("open", "map %s and read its header", in);
    /* O_NONBLOCK: a FIFO named here would otherwise hold open() until
     * someone writes to it; it is refused below instead. */
    ml_call("open", "CreateFile(path, GENERIC_READ, FILE_SHARE_READ, ..., OPEN_EXISTING, ...)",
            "\"%s\", O_RDONLY | O_NONBLOCK", in);
    fd = open(in, O_RDONLY | O_NONBLOCK);
    ml_must(ml_result(fd));
    ml_call("fstat", "GetFileType(hFile) + GetFileSizeEx(hFile, ...)", "%d, &st", fd);
    ml_must(ml_result(fstat(fd, &st)));
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        ml_error("%s is %s%s: an NPY file is a regular file that begins with \\x93NUMPY; "
                 "give --read the path of one", in, S_ISREG(st.st_mode) ? "empty" : kind_of(st.st_mode),
                 S_ISREG(st.st_mode) ? "" : ", not a regular file");
        ml_exit(ML_FAILED);
    }
    ml_call("mmap", "MapViewOfFile(hMapping, FILE_MAP_READ, 0, 0, 0)", "NULL, %lld, PROT_READ, MAP_SHARED, %d, 0",
            (long long)st.st_size, fd);
    ml_call_range(NULL, (size_t)st.st_size, 0);
    unsigned char *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(p));
    int r = npy_parse(p, (size_t)st.st_size, &h, why, sizeof why);
    if (r != NPY_OK || !npy_data_fits(&h, (uint64_t)st.st_size, why, sizeof why)) {
        ml_error("%s cannot be read as an array: %s", in, why);
        ml_exit(ML_FAILED);
    }
    npy_describe(&h, type, sizeof type);
    npy_shape_text(&h, why, sizeof why);
    ml_show("NPY %u.%u, data at offset %llu", h.major, h.minor, (unsigned long long)h.data_offset);
    ml_show("type '%s': %s", h.descr, type);
    ml_show("shape %s: %llu elements, %llu bytes, %s order", why, (unsigned long long)h.count,
           (unsigned long long)h.data_bytes, h.fortran_order ? "Fortran (column-major)" : "C (row-major)");
    for (uint64_t i = 0; i < h.count; i++) {
        if (i == 3 && h.count > 6) {
            ml_show("...");
            i = h.count - 3;
        }
        npy_format(&h, p + h.data_offset, i, v, sizeof v);
        ml_show("[%llu] = %s", (unsigned long long)i, v);
    }
    if (munmap(p, (size_t)st.st_size) == -1)
        ml_fail_errno("munmap");
    if (close(fd) == -1)
        ml_fail_errno("close");
    ml_exit(ML_DONE);
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct npy_header h = { .ndim = 1 };
    struct stat st;
    unsigned char hdr[4096];
    char why[300], size[32], disk[32];
    int fd;

    ml_start(&prog, argc, argv, &o);
    if (in)
        return read_array();
    ml_set_object(out);
    if (npy_set_type(&h, big ? ">f8" : "<f8", why, sizeof why) != NPY_OK) {
        ml_error("%s", why);
        ml_exit(ML_FAILED);
    }
    h.shape[0] = (uint64_t)count;
    size_t off = npy_write_header(hdr, sizeof hdr, &h);
    off_t total = (off_t)(off + h.data_bytes);
    ml_human_size((unsigned long long)total, size, sizeof size);

    ml_step("create", "a file of %s: %llu elements of '%s' after a %zu-byte header", size,
            (unsigned long long)count, h.descr, off);
    /* O_EXCL: the file is made new, or not at all.  Whatever is at the path
     * already, a file or a link planted to send these 5 GiB elsewhere, is
     * neither followed nor truncated. */
    ml_call("open", "CreateFile(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, ...)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0644", out);
    fd = open(out,
              O_CREAT | O_EXCL | O_RDWR,    /* made new, or not at all */
              0644);                        /* others may read it: numpy, --read */
    if (!ml_result(fd)) {
        if (errno == EEXIST)
            ml_error("%s is there already: 10-mapped-array writes only a file it makes, and never "
                     "truncates or follows what it finds. Remove it if it is yours (rm %s), or "
                     "choose another path with -o FILE", out, out);
        ml_exit(ML_FAILED);
    }
    ml_made_file(out);
    /* [lesson:size64] */
    ml_call("ftruncate", "CreateFileMapping(hFile, ..., dwMaximumSizeHigh, dwMaximumSizeLow, ...)",
            "%d, %lld /* High %#llx, Low %#llx */", fd, (long long)total,
            (unsigned long long)total >> 32, (unsigned long long)total & 0xffffffff);
    ml_must(ml_result(ftruncate(fd,
                                total)));    /* an off_t: one 64-bit size, no High/Low pair */
    ml_call("mmap", "MapViewOfFile(hMapping, FILE_MAP_ALL_ACCESS, 0, 0, 0): 64-bit only",
            "NULL, %lld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", (long long)total, fd);
    ml_call_range(NULL, (size_t)total, 0);
    unsigned char *p = mmap(NULL,
                            (size_t)total,   /* past 4 GiB: size_t is 64 bits here */
                            PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(p));
    /* [/lesson] */

    ml_step("header", "the NPY header: what a bare array file cannot say about itself");
    ml_call("memcpy", "CopyMemory(pView, header, ...)", "%p, header, %zu", (void *)p, off);
    memcpy(p, hdr, off);
    ml_returned_ptr(p);
    ml_say("%.*s", (int)strcspn((char *)hdr + 10, "}") + 1, (char *)hdr + 10);
    ml_say("then spaces and a newline: the data starts at %zu, a multiple of %d", off, NPY_ALIGN);

    ml_step("set", "store a[i] = i at eight indexes far apart, through the view");
    for (int k = 0; k < 8; k++) {
        uint64_t i = (uint64_t)k * (uint64_t)(count - 1) / 7, at = off + i * 8;
        npy_store(&h, p + off, i, (double)i);
        ml_say("a[%llu] = %llu at file offset %#llx%s", (unsigned long long)i, (unsigned long long)i,
               (unsigned long long)at, at >> 32 ? ": past 4 GiB, it needs the High DWORD" : "");
    }
    ml_call("msync", "FlushViewOfFile(pView, 0) + FlushFileBuffers(hFile)", "%p, %lld, MS_SYNC", (void *)p, (long long)total);
    ml_must(ml_result(msync(p, (size_t)total, MS_SYNC)));
    if (fstat(fd, &st) == -1)                 /* the blocks it takes */
        ml_fail_errno("fstat");
    ml_human_size((unsigned long long)st.st_blocks * 512, disk, sizeof disk);
    ml_show("the file is %s long and takes %s of disk: it is sparse, only touched pages are stored", size, disk);
    ml_made_done();                 /* whole now: it stays, even if the run is stopped */

    ml_hold("the array is mapped: see its Size and Rss in /proc/%ld/smaps, or ls -ls %s", (long)getpid(), out);
    ml_step("unmap", "unmap and close; the file stays for numpy and --read");
    ml_call("munmap", "UnmapViewOfFile(pView)", "%p, %lld", (void *)p, (long long)total);
    ml_must(ml_result(munmap(p, (size_t)total)));
    ml_call("close", "CloseHandle(hMapping); CloseHandle(hFile)", "%d", fd);
    ml_must(ml_result(close(fd)));
    ml_next("read it back with 10-mapped-array --read %s, or in Python: numpy.load(\"%s\", "
            "mmap_mode=\"r\"); remove it with rm when done.", out, out);
    ml_exit(ML_DONE);
}
