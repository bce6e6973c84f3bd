/* 12-channels.c — why share memory at all: the same bytes through each
 * channel, measured side by side.
 *
 * A parent sends TOTAL bytes, CHUNK at a time, to a child: through a ring
 * in a shared memory object, a pipe, a pipe grown with F_SETPIPE_SZ and a
 * socketpair.  The child checks every byte (a checksum of the stream) and
 * the program prints a table: throughput, time per message, system calls
 * per message, and the ratio to the fastest, beside an in-process memcpy
 * of the same chunks (the ceiling).  Then a one-word ping-pong for latency:
 * spin only, spin then futex, futex only, and a pipe.
 *
 * The ring: head and tail counters with C11 acquire/release; a waiter spins
 * a bounded while, then sleeps in the futex system call (with a timeout,
 * to look at its peer); a ring larger than the cache shows what the memory
 * behind it costs.  Win32: CreateFileMapping + MapViewOfFile for the ring,
 * CreateEvent + SetEvent + WaitForSingleObject where this uses the futex.
 *
 * Here: the object and each channel's run.  The ring's protocol is
 * lib/ring.c (read it second); the runners, the checksum and the table
 * are lib/channels.c and lib/checksum.c.
 *
 * Run:   bin/12-channels [-n /NAME] [--chunk 64k] [--ring 1M] [--total 1G]  (holds)
 * Look:  mmapview NAME while it holds: the ring's pages, all touched
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "channels.h"
#include "made.h"
#include "mmaplab.h"

static struct ch_config run = {
    .chunk = 64 << 10, .ring = 1 << 20, .total = 1LL << 30, .big = 256 << 20,
    .trips = 20000, .only = "all",
};

static const struct ml_option opts[] = {
    { "chunk", 'c', "BYTES", "bytes a message carries (default 64k; at most the ring)",
      .kind = ML_SIZE, .to = &run.chunk },
    { "ring", 'r', "BYTES", "the ring's size in the object (default 1M: in the cache)",
      .kind = ML_SIZE, .to = &run.ring },
    { "total", 't', "BYTES", "bytes sent through each channel (default 1G)",
      .kind = ML_SIZE, .to = &run.total },
    { "big-ring", 256, "BYTES", "a second ring, larger than the cache (default 256M)",
      .kind = ML_SIZE, .to = &run.big },
    { "no-big-ring", 257, NULL, "no second ring", .kind = ML_FLAG, .to = &run.no_big },
    { "trips", 258, "N", "ping-pong round trips per kind (default 20000)",
      .kind = ML_COUNT, .to = &run.trips, .min = 1, .max = 10000000 },
    { "one-cpu", 259, NULL, "pin both processes to one CPU", .kind = ML_FLAG, .to = &run.one_cpu },
    { "only", 260, "WHAT", "one channel: ring, pipe, socketpair or ping-pong (default all)",
      .kind = ML_TEXT, .to = &run.only },
    { .name = NULL },
};

static const struct ml_prog prog = {
    .name = "12-channels",
    .summary = "the same bytes through a shared ring, pipes and a socketpair, measured",
    .teaches =
        "A ring in a shared memory object moves data with no system call while\n"
        "both sides keep up: acquire/release counters, a bounded spin, then a\n"
        "futex wait.  A pipe or a socket costs a system call and a copy through\n"
        "the kernel per message.  Every byte is checked; the table says how fast.",
    .prev = "11-robust-mutex", .next = "13-page-faults",
    .win32 = "CreateFileMapping + MapViewOfFile (the ring); CreateEvent, SetEvent, WaitForSingleObject",
    .takes = ML_TAKES_HOLD, .own = opts,
};

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct ch_table table = { .nbulk = 0 };
    char hr[32];
    int fd;

    ml_start(&prog, argc, argv, &o);
    ch_prepare(&run);                            /* refuses what options cannot be together */
    if (ch_wants("memcpy"))
        ch_memcpy(&table);                       /* the ceiling, in a run of every channel */

    /* The object holds a page of counters, then the larger of the two rings. */
    size_t size = ch_object_size();
    ch_size_label(run.ring, hr, sizeof hr);
    ml_step("create", "a shared memory object for the ring: %s of bytes after a page of counters", hr);
    /* [lesson:create] */
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    fd = shm_open(o.name,                        /* lpName: what mmapview finds it by */
                  O_CREAT | O_EXCL | O_RDWR,     /* a new object, never one already there */
                  0600);                         /* this user only */
    ml_must(ml_result(fd));
    ml_made_shm(o.name);
    ml_call("ftruncate", "(the size is CreateFileMapping's argument)", "%d, %zu", fd, size);
    int sized = ftruncate(fd,                    /* the object */
                          (off_t)size);          /* dwMaximumSize: counters and ring */
    ml_must(ml_result(sized));
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, size)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, %d, 0", size, fd);
    void *base = mmap(NULL,                      /* anywhere */
                      size,                      /* dwNumberOfBytesToMap: all of it */
                      PROT_READ | PROT_WRITE,    /* FILE_MAP_ALL_ACCESS */
                      MAP_SHARED | MAP_POPULATE, /* stores reach the child; pages in now */
                      fd,                        /* hMapFile */
                      0);                        /* from its first byte */
    ml_must(ml_result_ptr(base));
    /* [/lesson] */
    ml_say("MAP_POPULATE: every page is had now, so that no page fault is in the measures");
    ch_use(base, fd, o.name);

    /* Each channel forks a child that takes the stream and checks it. */
    if (ch_wants("ring"))
        ch_ring(&table);                         /* lib/ring.c: the second half of the lesson */
    if (ch_wants("pipe"))
        ch_pipes(&table);
    if (ch_wants("socketpair"))
        ch_socketpair(&table);
    if (ch_wants("ping-pong"))
        ch_pingpong(&table);

    ml_step("table", "what each channel cost");
    ch_print(&table);

    ml_step("unlink", "unmap, close, remove the name");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %zu", base, size);
    int unmapped = munmap(base,                  /* lpBaseAddress */
                          size);                 /* the whole view */
    ml_must(ml_result(unmapped));
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    int closed = close(fd);                      /* hMapFile */
    ml_must(ml_result(closed));
    ml_call("shm_unlink", "(none: the last CloseHandle removes a Win32 object)", "\"%s\"", o.name);
    int removed = shm_unlink(o.name);            /* the name: no new process finds it */
    ml_must(ml_result(removed));
    ml_made_done();
    ch_done();
    ml_next("the lesson (lessons/12-channels.md) explains each row; 13-page-faults "
            "measures what a page costs when it is first touched.");
    ml_exit(ML_DONE);
}
