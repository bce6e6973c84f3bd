/* 08-private-cow.c — MAP_PRIVATE: a view of its own, copied on the first write.
 *
 * A second process maps a file shared; this one maps it MAP_PRIVATE (Win32:
 * FILE_MAP_COPY).  Before any write, the private view reads the very page
 * the shared view reads: the same physical frame.  The first write copies
 * the page: the private view now has a frame of its own (an anonymous page),
 * the other process still sees the old bytes, and the file is unchanged.
 *
 * Run:   bin/08-private-cow [-d DIR]   (holds before and after the write)
 * Look:  /proc/PID/pagemap and smaps of both processes at each hold
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "child.h"
#include "frames.h"
#include "made.h"
#include "mmaplab.h"

#define ORIGINAL "the file's original text"
#define CHANGED  "changed in the private view"

static char path[4200];

static const struct ml_prog prog = {
    .name = "08-private-cow",
    .summary = "a MAP_PRIVATE view shares the page until it writes, then has its own copy",
    .teaches =
        "MAP_PRIVATE is copy-on-write: it reads the file's cached page until the\n"
        "first write, which gives it a private copy.  Other processes and the file\n"
        "never see that write.",
    .prev = "07-file-pages", .next = "09-reserve-grow",
    .win32 = "MapViewOfFile(hMapping, FILE_MAP_COPY, 0, 0, 0)",
    .takes = ML_TAKES_HOLD | ML_TAKES_DIR,
};

/* The frames behind the private view here and the shared view there. */
static void frames(const char *v, pid_t other, const char *s)
{
    struct ml_pagemap a, b;
    char said[1024];

    if (ml_pagemap_at(0, (unsigned long)v, &a) == 0 &&
        ml_pagemap_at(other, (unsigned long)s, &b) == 0) {
        ml_frames_compare(&a, "the private view", &b, "the other process's shared view",
                          said, sizeof said);
        ml_say("%s", said);
    } else {
        ml_say("/proc/PID/pagemap cannot be read: %s", strerror(errno));
    }
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    char buf[64] = "", *s = NULL;
    long ps = sysconf(_SC_PAGESIZE);
    struct ml_link link;            /* the other process's view, and when it looks */
    int fd;

    ml_start(&prog, argc, argv, &o);
    snprintf(path, sizeof path, "%s/mmaplab-cow.dat", o.dir);
    ml_set_object(path);

    ml_step("create", "a file of one page that holds \"%s\"", ORIGINAL);
    ml_call("open", "CreateFile(path, ..., CREATE_NEW, ...)", "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", path);
    fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (!ml_result(fd)) {
        if (errno == EEXIST)   /* the library's hint speaks of shm names */
            ml_error("%s is a file left by an earlier run, or someone else's: "
                     "remove it (rm %s) or use -d DIR", path, path);
        ml_exit(ML_FAILED);
    }
    ml_made_file(path);
    ml_call("pwrite", "WriteFile(hFile, ...)", "%d, \"%s\", %zu, 0", fd, ORIGINAL, sizeof ORIGINAL);
    ml_must(ml_result(pwrite(fd, ORIGINAL, sizeof ORIGINAL, 0)));
    ml_link_open(&link);

    ml_step("fork", "another process maps the file shared and reads it");
    ml_call("fork", "CreateProcess", "%s", "");
    pid_t pid = fork();
    if (pid == 0) {
        ml_link_child(&link);                   /* speak after the parent's fork() line */
        ml_call("mmap", "MapViewOfFile(hMapping, FILE_MAP_READ, 0, 0, 0)",
                "NULL, %ld, PROT_READ, MAP_SHARED, %d, 0", ps, fd);
        ml_call_range(NULL, (size_t)ps, 0);
        s = mmap(NULL, (size_t)ps, PROT_READ, MAP_SHARED, fd, 0);
        ml_must(ml_result_ptr(s));
        (void)*(volatile char *)s;              /* a load: the page comes in */
        ml_link_put(&link, &s, sizeof s);       /* where its view is */
        ml_link_get(&link, buf, 1);             /* look again when told */
        ml_say("the other process's shared view still reads \"%s\"", s);
        ml_link_go(&link);
        ml_link_wait_close(&link);              /* until the first lets go */
        ml_exit(ML_DONE);
    }
    ml_must(ml_result(pid));
    ml_link_parent(&link);
    ml_link_go(&link);
    ml_link_get(&link, &s, sizeof s);

    ml_step("map", "this process maps the same file MAP_PRIVATE and reads it");
    /* [lesson:private] */
    ml_call("mmap", "MapViewOfFile(hMapping, FILE_MAP_COPY, 0, 0, 0)",
            "NULL, %ld, PROT_READ | PROT_WRITE, MAP_PRIVATE, %d, 0", ps, fd);
    ml_call_range(NULL, (size_t)ps, 0);
    char *v = mmap(NULL, (size_t)ps,
                   PROT_READ | PROT_WRITE,   /* writable, though the file is not changed */
                   MAP_PRIVATE,              /* FILE_MAP_COPY: a write copies the page */
                   fd, 0);
    ml_must(ml_result_ptr(v));
    ml_say("the private view reads \"%s\"", v);
    frames(v, pid, s);
    ml_hold("before the write: both views are on the file's page (pagemap of %ld at %p, of %ld at %p)",
            (long)getpid(), (void *)v, (long)pid, (void *)s);

    ml_step("write", "the first write to the private view copies the page");
    ml_call("memcpy", "CopyMemory into the FILE_MAP_COPY view", "%p, \"%s\", %zu", (void *)v, CHANGED, sizeof CHANGED);
    memcpy(v, CHANGED, sizeof CHANGED);      /* the first store: the page is copied */
    ml_returned_ptr(v);
    /* [/lesson] */
    frames(v, pid, s);
    ml_say("the private view reads \"%s\"", v);
    ml_link_go(&link);                                  /* the other looks */
    ml_link_get(&link, buf, 1);
    ml_call("pread", "ReadFile(hFile, ...)", "%d, buf, %zu, 0", fd, sizeof ORIGINAL);
    ml_must(ml_result(pread(fd, buf, sizeof ORIGINAL, 0)));
    ml_say("the file still reads \"%s\": a private write never reaches it", buf);
    ml_hold("after the write: the private view has its own frame (pagemap of %ld at %p; "
            "its smaps shows it as Private_Dirty)", (long)getpid(), (void *)v);

    ml_link_close(&link);
    ml_reap_ok(pid, "the other process");
    ml_step("unlink", "unmap, close and delete the file: the private copy is simply dropped");
    ml_call("munmap", "UnmapViewOfFile(pView)", "%p, %ld", (void *)v, ps);
    ml_must(ml_result(munmap(v, (size_t)ps)));
    ml_call("close", "CloseHandle(hMapping); CloseHandle(hFile)", "%d", fd);
    ml_must(ml_result(close(fd)));
    if (!ml_made_still_ours()) {       /* the directory may be others' too */
        ml_error("%s is no longer the file this run made: it is left alone", path);
        ml_exit(ML_FAILED);
    }
    ml_call("unlink", "DeleteFile(path)", "\"%s\"", path);
    ml_must(ml_result(unlink(path)));
    ml_made_done();
    ml_next("09-reserve-grow: reserve a large view, then grow the object under it.");
    ml_exit(ML_DONE);
}
