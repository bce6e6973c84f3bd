/* ring.c — a ring in a section, shared by two processes, with events.
 *
 * The parent makes a section backed by the paging file (CreateFileMapping
 * with INVALID_HANDLE_VALUE), two auto-reset events, and starts itself
 * again as the consumer.  It sends SIZE bytes through a 1 MiB ring, 64 KiB
 * at a time: head and tail counters with C11 acquire/release, a short
 * spin, then WaitForSingleObject on an event the other side sets only when
 * this side said it sleeps.  The consumer checks every byte (a checksum)
 * where it lies in the section; the parent compares it with its own and
 * says how fast the bytes went.
 *
 * POSIX twin: 12-channels (its ring: shm_open + mmap, and the futex system
 * call where this waits on an event).  Lessons quote the parts between
 * [lesson:NAME] and [/lesson].
 */
#include "w32lab.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { OPT_CONSUMER = 0x4000 };
#define RING   (1u << 20)
#define CHUNK  (64u << 10)
#define HDR    4096u
#define SPIN   4000
#define NAP_MS 100

static bool consumer;

static int own_option(int key, const char *arg)
{
    (void)arg;
    if (key == OPT_CONSUMER) {
        consumer = true;
        return 0;
    }
    return -1;
}

static const struct wl_option own[] = {
    { "consumer", OPT_CONSUMER, NULL, "(how the parent starts the consumer)" },
    { NULL, 0, NULL, NULL },
};

static const struct wl_prog prog = {
    .name = "ring",
    .summary = "a ring in a section between two processes, woken by events",
    .teaches =
        "The parent sends SIZE bytes through a 1 MiB ring in a section to a\n"
        "child, 64 KiB at a time: acquire/release counters, a short spin, then\n"
        "WaitForSingleObject on an auto-reset event that the other side sets\n"
        "only when this one said it sleeps.  The child checks every byte.\n"
        "NAME is the section; NAME.data and NAME.room are the events.",
    .posix = "12-channels (shm_open + mmap for the ring; the futex system call "
             "for the events)",
    .size_help = "bytes sent through the ring (default 64M)",
    .default_size = 64ull << 20,
    .default_name = "MyRingObject",
    .takes = WL_TAKES_NAME | WL_TAKES_SIZE,
    .own = own,
    .own_option = own_option,
};

struct side {
    _Atomic uint32_t sleeping;   /* the waiter is (about to be) in WaitForSingleObject */
};

struct hdr {
    _Alignas(64) _Atomic uint64_t head;
    _Alignas(64) _Atomic uint64_t tail;
    _Alignas(64) struct side data, room;
    _Alignas(64) uint64_t sum[2], got;
    uint32_t parent;             /* for the consumer's OpenProcess */
};

static struct hdr *H;
static unsigned char *ring;

static void sum_add(uint64_t s[2], const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {     /* messages are whole multiples here */
        s[0] += p[i];
        s[1] += s[0];
    }
}

/* After a publish: wake the other side only if it said it sleeps.  The
 * fence pairs with the waiter's: one of the two sees the other. */
static void publish(struct side *s, HANDLE ev)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&s->sleeping, memory_order_relaxed))
        SetEvent(ev);                           /* FUTEX_WAKE */
}

/* Wait until the other side's counter *c reaches base: a short spin, then
 * the event, NAP_MS at a time, looking at the peer.  False when the peer
 * is gone. */
static bool await(struct side *s, HANDLE ev, _Atomic uint64_t *c, uint64_t base, HANDLE peer)
{
    for (int i = 0; i < SPIN; i++) {
        if (atomic_load_explicit(c, memory_order_acquire) >= base)
            return true;
        YieldProcessor();
    }
    for (;;) {
        atomic_store_explicit(&s->sleeping, 1, memory_order_relaxed);
        atomic_thread_fence(memory_order_seq_cst);
        if (atomic_load_explicit(c, memory_order_acquire) >= base) {
            atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
            return true;
        }
        DWORD w = WaitForSingleObject(ev, NAP_MS);     /* FUTEX_WAIT, with a timeout */
        atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
        if (atomic_load_explicit(c, memory_order_acquire) >= base)
            return true;
        if (w == WAIT_TIMEOUT && WaitForSingleObject(peer, 0) == WAIT_OBJECT_0)
            return false;                               /* kill(pid, 0) fails */
    }
}

/* The consumer's handles are plumbing (not what the lesson teaches): a
 * failure is said with its name and GetLastError, and ends the run. */
static HANDLE open_event(const char *name, const char *what)
{
    HANDLE h = OpenEvent(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, name);
    if (h == NULL)
        wl_die(what);
    return h;
}

static void close_handle(HANDLE h, const char *what)
{
    if (!CloseHandle(h))
        wl_die(what);
}

static double seconds(LARGE_INTEGER a, LARGE_INTEGER b)
{
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    return (double)(b.QuadPart - a.QuadPart) / (double)f.QuadPart;
}

/* The child: open the section and the events by name, take every message
 * where it lies, and leave the checksum in the section for the parent. */
static _Noreturn void consume(const char *name, const char *dataName, const char *roomName,
                              uint64_t total)
{
    HANDLE hMapFile, hData, hRoom, hPeer;
    uint64_t s[2] = { 0, 0 };

    ml_step("open", "the section and the two events, by name");
    ml_call("OpenFileMapping", "shm_open(name, O_RDWR, 0)",
            "FILE_MAP_ALL_ACCESS, FALSE, \"%s\"", name);
    hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS,   /* O_RDWR */
                               FALSE,                 /* not inherited by a child */
                               name);                 /* the parent's section */
    ml_must(wl_result_handle(hMapFile));
    ml_call("MapViewOfFile", "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %u", HDR + RING);
    H = MapViewOfFile(hMapFile,                       /* mmap(..., fd, ...) */
                      FILE_MAP_ALL_ACCESS,            /* PROT_READ | PROT_WRITE, MAP_SHARED */
                      0, 0,                           /* offset 0, high and low DWORDs */
                      HDR + RING);                    /* the counters' page and the ring */
    ml_must(wl_result_ptr(H));
    ring = (unsigned char *)H + HDR;
    hData = open_event(dataName, "OpenEvent(dataName)");
    hRoom = open_event(roomName, "OpenEvent(roomName)");
    hPeer = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)H->parent);   /* to see it end */
    if (hPeer == NULL)
        wl_die("OpenProcess(H->parent)");

    ml_step("take", "every message, checked where it lies in the section");
    /* [lesson:take] */
    for (uint64_t tail = 0; tail < total; tail += CHUNK) {
        if (!await(&H->data, hData, &H->head, tail + CHUNK, hPeer)) {
            ml_error("the producer is gone after %llu of %llu bytes",
                     (unsigned long long)tail, (unsigned long long)total);
            ml_exit(ML_FAILED);
        }
        sum_add(s, ring + tail % RING, CHUNK);          /* in place: no copy */
        atomic_store_explicit(&H->tail, tail + CHUNK, memory_order_release);
        publish(&H->room, hRoom);
    }
    /* [/lesson] */
    H->sum[0] = s[0], H->sum[1] = s[1], H->got = total;
    ml_say("took %llu bytes", (unsigned long long)total);
    ml_exit(ML_DONE);
}

int main(int argc, char *argv[])
{
    struct wl_opts o;
    HANDLE hMapFile, hData, hRoom;
    char dataName[MAX_PATH + 16], roomName[MAX_PATH + 16];
    char cmdline[MAX_PATH * 4 + 256], extra[MAX_PATH + 32];
    unsigned char src[256];
    uint64_t want[2] = { 0, 0 }, total;
    STARTUPINFO si;
    PROCESS_INFORMATION pi;
    LARGE_INTEGER t0, t1;
    BOOL ok;

    wl_start(&prog, argc, argv, &o);
    total = o.size / CHUNK * CHUNK;
    if (total == 0)
        total = CHUNK;
    snprintf(dataName, sizeof dataName, "%s.data", o.name);
    snprintf(roomName, sizeof roomName, "%s.room", o.name);
    if (consumer)
        consume(o.name, dataName, roomName, total);
    for (int i = 0; i < 256; i++)
        src[i] = (unsigned char)(i * 167 + 13);

    ml_step("create", "a section for the ring, and an event for each side to sleep on");
    /* [lesson:create] */
    ml_call("CreateFileMapping",
            "shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600) + ftruncate(fd, size)",
            "INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, %u, \"%s\"", HDR + RING, o.name);
    hMapFile = CreateFileMapping(
        INVALID_HANDLE_VALUE,          /* the paging file: shm_open's object */
        NULL,                          /* default security */
        PAGE_READWRITE,                /* O_RDWR */
        0,                             /* the size, high DWORD: ftruncate(fd, size) */
        HDR + RING,                    /* the size, low DWORD: counters, then the ring */
        o.name);                       /* what the consumer opens it by */
    ml_must(wl_result_handle(hMapFile));
    ml_call("MapViewOfFile", "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %u", HDR + RING);
    H = MapViewOfFile(hMapFile,            /* mmap(..., fd, ...) */
                      FILE_MAP_ALL_ACCESS, /* PROT_READ | PROT_WRITE, MAP_SHARED */
                      0, 0,                /* offset 0, high and low DWORDs */
                      HDR + RING);         /* all of it */
    ml_must(wl_result_ptr(H));
    ml_call("CreateEvent", "(none: a futex is the word itself, in the mapping)",
            "NULL, FALSE, FALSE, \"%s\"", dataName);
    hData = CreateEvent(NULL,          /* default security */
                        FALSE,         /* auto-reset: one wait takes one SetEvent */
                        FALSE,         /* not set yet */
                        dataName);     /* the consumer sleeps on it: data came */
    ml_must(wl_result_handle(hData));
    /* [/lesson] */
    ml_call("CreateEvent", "(none: a futex is the word itself, in the mapping)",
            "NULL, FALSE, FALSE, \"%s\"", roomName);
    hRoom = CreateEvent(NULL,          /* default security */
                        FALSE,         /* auto-reset */
                        FALSE,         /* not set yet */
                        roomName);     /* the producer sleeps on it: room came */
    ml_must(wl_result_handle(hRoom));
    ring = (unsigned char *)H + HDR;
    H->parent = (uint32_t)GetCurrentProcessId();

    ml_step("consumer", "start the process that takes the bytes");
    snprintf(extra, sizeof extra, "--consumer -n \"%s\" -s %llu", o.name,
             (unsigned long long)total);
    wl_self_command(cmdline, sizeof cmdline, extra);
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    ml_call("CreateProcess", "fork()", "NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi");
    ok = CreateProcess(NULL,           /* the program: cmdline's first word */
                       cmdline,        /* this program again, with --consumer */
                       NULL, NULL,     /* default security, process and thread */
                       FALSE,          /* no handle inherited: it opens all by name */
                       0,              /* no creation flags */
                       NULL, NULL,     /* this environment, this directory */
                       &si,            /* how its window starts: the defaults */
                       &pi);           /* its process and thread handles, out */
    ml_must(wl_result_bool(ok));

    ml_step("send", "%llu bytes, %u at a time, through a ring of %u",
            (unsigned long long)total, CHUNK, RING);
    QueryPerformanceCounter(&t0);
    /* [lesson:put] */
    for (uint64_t head = 0; head < total; head += CHUNK) {
        if (!await(&H->room, hRoom, &H->tail, head + CHUNK > RING ? head + CHUNK - RING : 0,
                   pi.hProcess)) {
            ml_error("the consumer is gone after %llu of %llu bytes were sent",
                     (unsigned long long)head, (unsigned long long)total);
            ml_exit(ML_FAILED);
        }
        for (unsigned i = 0; i < CHUNK; i += sizeof src)
            memcpy(ring + head % RING + i, src, sizeof src);
        atomic_store_explicit(&H->head, head + CHUNK, memory_order_release);
        publish(&H->data, hData);                       /* SetEvent if it sleeps */
    }
    /* [/lesson] */
    ml_call("WaitForSingleObject", "waitpid(pid, &status, 0)", "pi.hProcess, 60000");
    DWORD w = WaitForSingleObject(pi.hProcess,   /* waitpid(pid, ...) */
                                  60000);        /* at most a minute: never a hang */
    ml_must(wl_result_wait(w));
    QueryPerformanceCounter(&t1);
    for (uint64_t n = 0; n < total; n += sizeof src)
        sum_add(want, src, sizeof src);
    bool same = H->got == total && H->sum[0] == want[0] && H->sum[1] == want[1];
    ml_say("the consumer took %llu bytes: %s", (unsigned long long)H->got,
           same ? "every byte arrived as sent" : "THE BYTES DIFFER");
    if (!same)
        ml_exit(ML_FAILED);
    ml_say("%.2f GiB/s, with the process start and exit in the time", (double)total /
           seconds(t0, t1) / (1 << 30));

    ml_step("close", "every handle: the section goes with the last one");
    ml_call("UnmapViewOfFile", "munmap(addr, size)", "H");
    ok = UnmapViewOfFile(H);           /* munmap(addr, size): the view's address */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "close(fd) (and shm_unlink: the name goes with the last handle)", "hMapFile");
    ok = CloseHandle(hMapFile);        /* close(fd); there is no shm_unlink */
    ml_must(wl_result_bool(ok));
    close_handle(hData, "CloseHandle(hData)");
    close_handle(hRoom, "CloseHandle(hRoom)");
    close_handle(pi.hProcess, "CloseHandle(pi.hProcess)");
    close_handle(pi.hThread, "CloseHandle(pi.hThread)");
    ml_exit(ML_DONE);
}
