/* pagecache.c — a file's pages in the page cache, set up and seen from
 * outside the viewer, for tests/viewer/noload.sh.
 *
 *   pagecache write FILE PAGE...   write "mmaplab-noload page N" at the start
 *                                  of each page N (the file keeps its size)
 *   pagecache evict FILE           write the file back, then drop its pages
 *                                  from the page cache (those nobody maps)
 *   pagecache read FILE PAGE...    read each page N with a plain pread, as any
 *                                  reader does: the kernel reads ahead of it
 *                                  and marks where to read ahead next
 *   pagecache resident FILE        the resident pages, as "A-B,C" (page
 *                                  indexes; "-" for none), by mincore on a
 *                                  PROT_NONE mapping that is never touched
 *
 * Exit 0, or 1 with the error on stderr.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static long psz;

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "pagecache: %s %s: %s\n", what, path, strerror(errno));
    return 1;
}

static int page_arg(const char *s, long long *n)
{
    char *end;

    errno = 0;
    *n = strtoll(s, &end, 10);
    if (errno || end == s || *end || *n < 0) {
        fprintf(stderr, "pagecache: %s is not a page number\n", s);
        return -1;
    }
    return 0;
}

static int resident(int fd, const char *path)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        return fail("fstat", path);
    size_t n = (size_t)((st.st_size + psz - 1) / psz);
    if (n == 0) {
        printf("-\n");
        return 0;
    }
    unsigned char *vec = malloc(n);
    void *p = mmap(NULL, (size_t)st.st_size, PROT_NONE, MAP_SHARED, fd, 0);
    if (vec == NULL || p == MAP_FAILED)
        return fail("mmap", path);
    if (mincore(p, (size_t)st.st_size, vec) == -1)
        return fail("mincore", path);
    munmap(p, (size_t)st.st_size);
    const char *sep = "";
    for (size_t i = 0; i < n; ) {
        if (!(vec[i] & 1)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && (vec[j + 1] & 1))
            j++;
        if (i == j)
            printf("%s%zu", sep, i);
        else
            printf("%s%zu-%zu", sep, i, j);
        sep = ",";
        i = j + 1;
    }
    printf("%s\n", *sep ? "" : "-");
    free(vec);
    return 0;
}

int main(int argc, char *argv[])
{
    psz = sysconf(_SC_PAGESIZE);
    if (argc < 3) {
        fprintf(stderr, "usage: pagecache write|evict|read|resident FILE [PAGE...]\n");
        return 2;
    }
    const char *cmd = argv[1], *path = argv[2];
    bool writing = strcmp(cmd, "write") == 0 || strcmp(cmd, "evict") == 0;
    int fd = open(path, (writing ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW);
    if (fd == -1)
        return fail("open", path);
    if (strcmp(cmd, "resident") == 0)
        return resident(fd, path);
    if (strcmp(cmd, "evict") == 0) {
        /* Dirty pages cannot be dropped: write them back first. */
        if (fsync(fd) == -1)
            return fail("fsync", path);
        errno = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        return errno ? fail("posix_fadvise", path) : 0;
    }
    char *buf = calloc(1, (size_t)psz);
    for (int i = 3; i < argc; i++) {
        long long n;
        if (buf == NULL || page_arg(argv[i], &n) == -1)
            return 1;
        off_t off = (off_t)(n * psz);
        if (strcmp(cmd, "write") == 0) {
            int len = snprintf(buf, (size_t)psz, "mmaplab-noload page %lld", n);
            if (pwrite(fd, buf, (size_t)len, off) != len)
                return fail("pwrite", path);
        } else if (strcmp(cmd, "read") == 0) {
            if (pread(fd, buf, (size_t)psz, off) == -1)
                return fail("pread", path);
        } else {
            fprintf(stderr, "pagecache: %s: not a command (write, evict, read, resident)\n", cmd);
            return 2;
        }
    }
    free(buf);
    return 0;
}
