/* 07-file-pages.c — "When two processes map the same region of a file, they
 * share the same pages of physical memory."
 *
 * This program maps a regular file, then starts a second process that opens
 * the file by its path (checking that it is the same file: a path in a
 * shared directory may be swapped for a link), maps it and writes.  The first process sees the
 * bytes at once through its own view and through read(2): all three are the
 * page cache's one page.  It prints the physical frame behind each view.
 * Then: why a mapping's offset must be a multiple of the page size, and
 * what msync does and does not promise.
 *
 * Run:   bin/07-file-pages [-d DIR] [-m TEXT]   (holds while both map the page)
 * Look:  /proc/PID/pagemap of both processes, or mmapview --file DIR/mmaplab-pages.dat
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "child.h"
#include "frames.h"
#include "made.h"
#include "mmaplab.h"

static char path[4200];

static const struct ml_prog prog = {
    .name = "07-file-pages",
    .summary = "two processes map one file: one page of memory, seen by both and by read(2)",
    .teaches =
        "A MAP_SHARED view of a file is the page cache's page itself: another\n"
        "process's view and read(2) see a store at once, and the physical frame is\n"
        "the same.  Offsets must be page multiples; msync is about the disk, not\n"
        "about other processes.",
    .prev = "06-inherit", .next = "08-private-cow",
    .win32 = "CreateFile + CreateFileMapping(hFile, ...) + MapViewOfFile in each process",
    .takes = ML_TAKES_MESSAGE | ML_TAKES_HOLD | ML_TAKES_DIR,
};

/* The second process: it opens the file by its path, checks that it is the
 * one the first made, maps it and copies the message in; then it keeps the
 * view until the first process lets go. */
static _Noreturn void second(struct ml_link *link, const struct stat *made,
                             const char *message, size_t len)
{
    struct stat st;
    long ps = sysconf(_SC_PAGESIZE);
    int fd;

    ml_link_child(link);                 /* speak after the parent's fork() line */
    /* [lesson:second] */
    ml_call("open", "CreateFile(path, ..., OPEN_EXISTING, ...)",
            "\"%s\", O_RDWR | O_NOFOLLOW", path);
    fd = open(path,                       /* the same file, by its path */
              O_RDWR | O_NOFOLLOW);       /* a link planted there is refused */
    ml_must(ml_result(fd));
    /* The path may name another file by now: check that it is the one
     * the first process made before writing into it. */
    ml_call("fstat", "GetFileInformationByHandle(hFile, ...)", "%d, &st", fd);
    ml_must(ml_result(fstat(fd, &st)));
    if (st.st_dev != made->st_dev || st.st_ino != made->st_ino) {
        ml_error("%s is no longer the file the first process made (inode %lu, now %lu): "
                 "someone replaced it in between, so nothing is written to it. Run again "
                 "in a directory only you can write to (-d DIR)", path,
                 (unsigned long)made->st_ino, (unsigned long)st.st_ino);
        ml_exit(ML_FAILED);
    }
    ml_call("mmap", "CreateFileMapping(hFile, ...) + MapViewOfFile(..., FILE_MAP_ALL_ACCESS, ...)",
            "NULL, %ld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", ps, fd);
    ml_call_range(NULL, (size_t)ps, 0);
    char *q = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(q));
    ml_call("memcpy", "CopyMemory(pView, szMsg, ...)", "%p, \"%s\", %zu", (void *)q, message, len);
    memcpy(q, message, len);             /* CopyMemory */
    ml_returned_ptr(q);
    /* [/lesson] */
    ml_link_put(link, &q, sizeof q);     /* where its view is */
    ml_link_wait_close(link);            /* keep the view until the first lets go */
    ml_exit(ML_DONE);
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct ml_pagemap mine, theirs;
    struct statfs fs;
    struct stat made;
    char buf[256], seen[256], said[1024];
    long ps = sysconf(_SC_PAGESIZE);
    struct ml_link link;            /* where the second maps, and when it may let go */
    int fd;

    ml_start(&prog, argc, argv, &o);
    size_t len = strlen(o.message) + 1;
    if (len > sizeof buf) {
        ml_error("the message is %zu bytes with its NUL; this program reads it back into "
                 "%zu bytes: use a shorter -m", len, sizeof buf);
        ml_exit(ML_USAGE);
    }
    snprintf(path, sizeof path, "%s/mmaplab-pages.dat", o.dir);
    ml_set_object(path);

    ml_step("create", "a file of two pages, mapped shared");
    ml_call("open", "CreateFile(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, "
            "NULL, CREATE_NEW, ...)", "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", path);
    fd = open(path,
              O_CREAT | O_EXCL | O_RDWR,    /* CREATE_NEW: never a file that is there */
              0600);
    if (!ml_result(fd)) {
        if (errno == EEXIST)   /* the library's hint speaks of shm names */
            ml_error("%s is a file left by an earlier run, or someone else's: "
                     "remove it (rm %s) or use -d DIR", path, path);
        ml_exit(ML_FAILED);
    }
    ml_made_file(path);
    ml_call("fstat", "GetFileInformationByHandle(hFile, ...): dwVolumeSerialNumber, nFileIndex", "%d, &made", fd);
    ml_must(ml_result(fstat(fd, &made)));
    ml_call("ftruncate", "SetEndOfFile, or CreateFileMapping's size", "%d, %ld", fd, 2 * ps);
    ml_must(ml_result(ftruncate(fd, 2 * ps)));
    ml_call("mmap", "CreateFileMapping(hFile, NULL, PAGE_READWRITE, 0, 0, NULL) + MapViewOfFile(..., FILE_MAP_ALL_ACCESS, ...)",
            "NULL, %ld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", 2 * ps, fd);
    ml_call_range(NULL, (size_t)(2 * ps), 0);
    char *p = mmap(NULL, (size_t)(2 * ps), PROT_READ | PROT_WRITE,
                   MAP_SHARED,               /* the page cache's pages themselves */
                   fd,                       /* a file, not a shm object: hFile */
                   0);
    ml_must(ml_result_ptr(p));
    ml_link_open(&link);

    ml_step("fork", "a second process opens the same file by its path and maps it");
    ml_call("fork", "CreateProcess", "%s", "");
    pid_t pid = fork();
    if (pid == 0) {
        second(&link, &made, o.message, len);
    }
    char *q = NULL;
    ml_must(ml_result(pid));
    ml_link_parent(&link);
    ml_link_go(&link);
    ml_link_get(&link, &q, sizeof q);

    ml_step("read", "the first process looks, with no call between: its view, then read(2)");
    /* The first process's own load from its view: it maps the page cache's
     * page into this process, whatever -q says. */
    memcpy(seen, p, len);
    ml_show("its own view at %p holds \"%s\"", (void *)p, seen);
    ml_call("pread", "ReadFile(hFile, buf, ...)", "%d, buf, %zu, 0", fd, len);
    ml_must(ml_result(pread(fd, buf, len, 0)));
    ml_show("read(2) returns \"%s\": the same bytes at once; all three are the one cached page", buf);

    ml_step("frames", "the physical frame behind each view, from /proc/PID/pagemap");
    if (ml_pagemap_at(0, (unsigned long)p, &mine) == -1)
        ml_fail_errno("reading /proc/self/pagemap");
    if (ml_pagemap_at(pid, (unsigned long)q, &theirs) == -1)
        ml_fail_errno("reading the second process's /proc/PID/pagemap");
    ml_frames_compare(&mine, "this process", &theirs, "the second process", said, sizeof said);
    ml_show("%s", said);

    ml_step("msync", "what msync promises: the disk, not the other processes");
    ml_call("msync", "FlushViewOfFile(pBuf, 0) + FlushFileBuffers(hFile)", "%p, %ld, MS_SYNC", (void *)p, 2 * ps);
    ml_must(ml_result(msync(p, (size_t)(2 * ps), MS_SYNC)));
    ml_say("MS_SYNC returns once the dirty pages are written to the file's storage, like fsync of "
           "the range; the other process and read(2) saw the bytes long before.  It promises no "
           "atomicity: after a crash some pages may be new and others old.%s",
           statfs(o.dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC
           ? "  Here the file is on tmpfs: there is no storage below the page, nothing to write." : "");

    ml_hold("both processes map the page: compare /proc/%ld/pagemap at %p with /proc/%ld/pagemap at %p",
            (long)getpid(), (void *)p, (long)pid, (void *)q);
    ml_link_close(&link);
    ml_reap_ok(pid, "the second process");

    ml_step("offset", "a view must start at a multiple of the page size (%ld bytes)", ps);
    long want = ps + 100, base = want / ps * ps;
    if (pwrite(fd, "found at offset page+100", 25, want) != 25)
        ml_fail_errno("pwrite");
    ml_call("mmap", "MapViewOfFile(..., 0, 4196, ...): ERROR_MAPPED_ALIGNMENT",
            "NULL, %ld, PROT_READ, MAP_SHARED, %d, %ld", ps, fd, want);
    ml_expect(EINVAL);
    char *r = mmap(NULL, (size_t)ps, PROT_READ, MAP_SHARED, fd, want);
    ml_result_ptr(r);
    /* [lesson:offset] */
    ml_call("mmap", "MapViewOfFile(..., 0, 0, ...): the caller rounds down, to 64 KiB there "
            "(dwAllocationGranularity); Windows refuses any other offset",
            "NULL, %ld, PROT_READ, MAP_SHARED, %d, %ld /* %ld rounded down */", ps, fd, base, want);
    r = mmap(NULL, (size_t)ps, PROT_READ, MAP_SHARED, fd, base);
    ml_must(ml_result_ptr(r));
    memcpy(seen, r + (want - base), 25);      /* a load through the new view */
    ml_show("offset %ld is at view + %ld: \"%s\"", want, want - base, seen);
    /* [/lesson] */

    ml_step("unlink", "unmap, close and delete the file");
    ml_call("munmap", "UnmapViewOfFile(pOffsetView)", "%p, %ld", (void *)r, ps);
    ml_must(ml_result(munmap(r, (size_t)ps)));
    ml_call("munmap", "UnmapViewOfFile(pView)", "%p, %ld", (void *)p, 2 * ps);
    ml_must(ml_result(munmap(p, (size_t)(2 * ps))));
    ml_call("close", "CloseHandle(hMapping); CloseHandle(hFile)", "%d", fd);
    ml_must(ml_result(close(fd)));
    if (!ml_made_still_ours()) {       /* the directory may be others' too */
        ml_error("%s is no longer the file this run made: it is left alone", path);
        ml_exit(ML_FAILED);
    }
    ml_call("unlink", "DeleteFile(path)", "\"%s\"", path);
    ml_must(ml_result(unlink(path)));
    ml_made_done();
    ml_next("08-private-cow: a MAP_PRIVATE view shares the frame only until it writes.");
    ml_exit(ML_DONE);
}
