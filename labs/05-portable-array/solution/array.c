/* array.c — lab 05, reference solution: a portable mapped array.
 *
 *   ./array FILE ROWS COLS little|big
 *
 * makes FILE, a ROWS x COLS array of 8-byte signed integers, a[r][c] =
 * r * 1000 + c, in the byte order asked for, written through a shared
 * mapping.  The file starts with an NPY header (numpy's format) that
 * says what a bare array cannot: the element's size, kind and byte
 * order, the shape and the order of the dimensions.  numpy and
 * mmaplab's 10-mapped-array --read then read it right on any machine.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALIGN 64            /* the data starts at a multiple of 64 */

/* header: the NPY 1.0 header for the array, padded with spaces to a
 * multiple of ALIGN and ended by '\n'; its length, or 0 if it does not fit. */
static size_t header(char *buf, size_t size, const char *descr, long rows, long cols)
{
    char dict[256];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '%s', 'fortran_order': False, 'shape': (%ld, %ld), }",
                     descr, rows, cols);
    if (n < 0 || (size_t)n >= sizeof dict)
        return 0;
    size_t total = 10 + (size_t)n + 1;              /* magic, version, HEADER_LEN, dict, '\n' */
    total = (total + ALIGN - 1) / ALIGN * ALIGN;
    if (total > size || total - 10 > UINT16_MAX)
        return 0;
    uint16_t hlen = htole16((uint16_t)(total - 10)); /* HEADER_LEN is little-endian */
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    memcpy(buf + 8, &hlen, 2);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', total - 10 - (size_t)n - 1);
    buf[total - 1] = '\n';
    return total;
}

static long number(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 100000) {
        fprintf(stderr, "%s '%s': a whole number from 1 to 100000\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    char hdr[512];
    int big;

    if (argc != 5 || (strcmp(argv[4], "little") != 0 && strcmp(argv[4], "big") != 0)) {
        fprintf(stderr, "usage: %s FILE ROWS COLS little|big\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long rows = number(argv[2], "ROWS"), cols = number(argv[3], "COLS");
    big = strcmp(argv[4], "big") == 0;

    /* The byte order is said, never left to the reader's machine ('='). */
    size_t off = header(hdr, sizeof hdr, big ? ">i8" : "<i8", rows, cols);
    if (off == 0) {
        fprintf(stderr, "the header does not fit in %zu bytes\n", sizeof hdr);
        return 1;
    }
    size_t total = off + (size_t)rows * (size_t)cols * 8;

    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
    if (fd == -1) {
        fprintf(stderr, "open %s: %s (it must not exist: remove it, or choose another path)\n",
                path, strerror(errno));
        return 1;
    }
    if (ftruncate(fd, (off_t)total) == -1) {
        fprintf(stderr, "ftruncate: %s\n", strerror(errno));
        unlink(path);
        return 1;
    }
    unsigned char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "mmap: %s\n", strerror(errno));
        unlink(path);
        return 1;
    }
    memcpy(p, hdr, off);
    for (long r = 0; r < rows; r++) {
        for (long c = 0; c < cols; c++) {
            uint64_t v = (uint64_t)(r * 1000 + c);
            v = big ? htobe64(v) : htole64(v);
            /* memcpy: an element need not be aligned for this machine */
            memcpy(p + off + ((size_t)r * (size_t)cols + (size_t)c) * 8, &v, 8);
        }
    }
    if (munmap(p, total) == -1) {
        fprintf(stderr, "munmap: %s\n", strerror(errno));
        return 1;
    }
    if (close(fd) == -1) {
        fprintf(stderr, "close: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
