/* lab.c — lab 05: a portable mapped array.
 * Handout: labs/05-portable-array/README.md.   Grade: make grade LAB=05
 *
 *   ./array FILE ROWS COLS little|big
 *
 * makes FILE, a ROWS x COLS array of 8-byte signed integers, a[r][c] =
 * r * 1000 + c, in the byte order asked for, written through a shared
 * mapping.  A bare array says nothing about itself: give it the NPY
 * header (numpy's format), which says the element's size, kind and byte
 * order, the shape and the order of the dimensions, so that numpy and
 * mmaplab's 10-mapped-array --read read it right on any machine.
 *
 * The file and its mapping are done (lesson 10).  Fill in the TODOs.
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
    /* TODO 1: the NPY 1.0 header, into buf:
     *   "\x93NUMPY", the bytes 1 and 0 (the version), HEADER_LEN as a
     *   little-endian uint16, then the dict as text,
     *   {'descr': '<i8', 'fortran_order': False, 'shape': (ROWS, COLS), }
     *   then spaces, and '\n' as the very last byte, so that the whole
     *   (10 + HEADER_LEN) is a multiple of ALIGN.
     * Return its length (the data's offset), or 0 if it does not fit in
     * size bytes.  Lesson 10, "Why".  Until then: ALIGN zero bytes. */
    (void)descr, (void)rows, (void)cols;
    if (size < ALIGN)
        return 0;
    memset(buf, 0, ALIGN);
    return ALIGN;
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
            /* TODO 2: v in the byte order the header says, whatever
             * this machine's own: htobe64 / htole64 (endian.h).
             * Lesson 10, "Pitfalls". */
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
