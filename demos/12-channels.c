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
 * Run:   bin/12-channels [-n /NAME] [--chunk 64k] [--ring 1M] [--total 1G]  (holds)
 * Look:  mmapview NAME while it holds: the ring's pages, all touched
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "made.h"
#include "mmaplab.h"

#define HDR        4096                  /* the ring's bytes start a page in */
#define SPIN       20000                 /* ns to spin before a futex wait: less than a sleep costs */
#define SPIN_MIN   1000                  /* ... and the least it adapts down to */
#define NAP_MS     100                   /* a futex wait's timeout: then look at the peer */
#define SPIN_ONLY_S 1.0                  /* how long a spin-only wait may last, and the test */
#define SRC_LEN    ((1 << 20) + 4093)    /* the stream repeats every SRC_LEN bytes */

static off_t chunk = 64 << 10, ring = 1 << 20, total = 1LL << 30, big = 256 << 20;
static long long trips = 20000;
static bool no_big, one_cpu;
static const char *only = "all";

static const struct ml_option opts[] = {
    { "chunk", 'c', "BYTES", "bytes a message carries (default 64k; at most the ring)",
      .kind = ML_SIZE, .to = &chunk },
    { "ring", 'r', "BYTES", "the ring's size in the object (default 1M: in the cache)",
      .kind = ML_SIZE, .to = &ring },
    { "total", 't', "BYTES", "bytes sent through each channel (default 1G)",
      .kind = ML_SIZE, .to = &total },
    { "big-ring", 256, "BYTES", "a second ring, larger than the cache (default 256M)",
      .kind = ML_SIZE, .to = &big },
    { "no-big-ring", 257, NULL, "no second ring", .kind = ML_FLAG, .to = &no_big },
    { "trips", 258, "N", "ping-pong round trips per kind (default 20000)",
      .kind = ML_COUNT, .to = &trips, .min = 1, .max = 10000000 },
    { "one-cpu", 259, NULL, "pin both processes to one CPU", .kind = ML_FLAG, .to = &one_cpu },
    { "only", 260, "WHAT", "one channel: ring, pipe, socketpair or ping-pong (default all)",
      .kind = ML_TEXT, .to = &only },
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

/* ---- the shared object's header ------------------------------------------ */

struct side {                    /* where one waiter sleeps */
    _Atomic uint32_t seq;        /* the futex word: bumped at every publish */
    _Atomic uint32_t sleeping;   /* the waiter is (about to be) in FUTEX_WAIT */
    _Atomic uint64_t wake_at;    /* ... and wants waking once the counter is there */
};

struct hdr {
    alignas(64) _Atomic uint64_t head;   /* bytes the producer has published */
    alignas(64) _Atomic uint64_t tail;   /* bytes the consumer has taken */
    alignas(64) struct side data;        /* the consumer waits for data here */
    alignas(64) struct side space;       /* the producer waits for room here */
    alignas(64) _Atomic uint32_t ball;   /* ping-pong: odd from the parent, even back */
    alignas(64) struct side pp[2];       /* [0] the parent waits, [1] the child */
    alignas(64) _Atomic uint32_t ready;  /* the child is set up */
    _Atomic uint32_t stop;               /* the parent gave up: the child stops too */
    uint64_t sum[2], bytes, calls;       /* the child's results */
    int64_t end_ns;                      /* when the child had the last byte */
    int failed;                          /* the child found something wrong */
};

/* ---- the checksum: Fletcher-like, eight lanes of 64-bit words ------------
 * The same stream gives the same sum however it was cut into messages.
 * Eight independent lanes, in vectors: the consumer must check bytes about
 * as fast as memcpy moves them. */

#define LANES 8
struct sum { uint64_t a[LANES], b[LANES]; unsigned char part[8 * LANES]; unsigned npart; };

/* Two lanes to a vector (GCC's and Clang's vector extension): four vector
 * adds for a, four for b, every 64 bytes, all in registers. */
typedef uint64_t u64x2 __attribute__((vector_size(16)));

static void sum_blocks(struct sum *s, const unsigned char *p, size_t blocks)
{
    u64x2 a0, a1, a2, a3, b0, b1, b2, b3, w0, w1, w2, w3;

    memcpy(&a0, s->a, 16), memcpy(&a1, s->a + 2, 16);
    memcpy(&a2, s->a + 4, 16), memcpy(&a3, s->a + 6, 16);
    memcpy(&b0, s->b, 16), memcpy(&b1, s->b + 2, 16);
    memcpy(&b2, s->b + 4, 16), memcpy(&b3, s->b + 6, 16);
    for (size_t i = 0; i < blocks; i++, p += 64) {
        memcpy(&w0, p, 16), memcpy(&w1, p + 16, 16);
        memcpy(&w2, p + 32, 16), memcpy(&w3, p + 48, 16);
        a0 += w0, a1 += w1, a2 += w2, a3 += w3;
        b0 += a0, b1 += a1, b2 += a2, b3 += a3;
    }
    memcpy(s->a, &a0, 16), memcpy(s->a + 2, &a1, 16);
    memcpy(s->a + 4, &a2, 16), memcpy(s->a + 6, &a3, 16);
    memcpy(s->b, &b0, 16), memcpy(s->b + 2, &b1, 16);
    memcpy(s->b + 4, &b2, 16), memcpy(s->b + 6, &b3, 16);
}

static void sum_add(struct sum *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    const size_t block = sizeof s->part;

    while (s->npart > 0 && n > 0) {
        s->part[s->npart++] = *p++, n--;
        if (s->npart == block)
            sum_blocks(s, s->part, 1), s->npart = 0;
    }
    sum_blocks(s, p, n / block);
    p += n / block * block, n %= block;
    while (n > 0)
        s->part[s->npart++] = *p++, n--;
}

static void sum_end(struct sum *s, uint64_t out[2])
{
    memset(s->part + s->npart, 0, sizeof s->part - s->npart);
    if (s->npart)
        sum_blocks(s, s->part, 1);
    out[0] = out[1] = 0;
    for (int l = 0; l < LANES; l++)
        out[0] = out[0] * 31 + s->a[l], out[1] = out[1] * 31 + s->b[l];
}

/* ---- time, the peer, the futex ------------------------------------------- */

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static pid_t peer;               /* the child (in the parent) or the parent */
static bool is_child;
static int peer_status;          /* the child's wait status, once reaped */
static long calls;               /* system calls this process made in a measure */
static struct hdr *H;

/* How long the waiter on each side spins now (each process its own). */
static int64_t spin_ns[5];

static int64_t *spin_of(const struct side *s)
{
    const struct side *all[4] = { &H->data, &H->space, &H->pp[0], &H->pp[1] };
    for (int i = 0; i < 4; i++)
        if (s == all[i])
            return &spin_ns[i];
    return &spin_ns[4];
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Is the other process still there?  The parent reaps a dead child here. */
static bool peer_alive(void)
{
    calls++;
    if (is_child)
        return getppid() == peer;
    if (peer_status != -1)
        return false;
    return waitpid(peer, &peer_status, WNOHANG) == 0;
}

/* [lesson:futex] */
/* Sleep while *word is still seen, at most NAP_MS: FUTEX_WAIT.  Any process
 * that maps the object can wake it (no FUTEX_PRIVATE_FLAG).
 * Win32: WaitForSingleObject(hEvent, NAP_MS). */
static void futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
    struct timespec nap = { 0, NAP_MS * 1000000L };
    calls++;
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, &nap, NULL, 0);
}

/* Win32: SetEvent(hEvent). */
static void futex_wake(_Atomic uint32_t *word)
{
    calls++;
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* After a publish that brought a counter to `now`: bump the side's word,
 * and wake its waiter only if it said it sleeps and what it waits for is
 * there.  The fence pairs with the one in await(): either the waiter sees
 * what was published, or this sees it sleeping. */
static void publish(struct side *s, uint64_t now)
{
    atomic_fetch_add_explicit(&s->seq, 1, memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&s->sleeping, memory_order_relaxed) &&
        now >= atomic_load_explicit(&s->wake_at, memory_order_relaxed))
        futex_wake(&s->seq);
}
/* [/lesson] */

enum how { SPIN_ONLY, SPIN_FUTEX, FUTEX_ONLY };
enum waited { READY, PEER_GONE, STOPPED, GAVE_UP };

/* Wait until ready(arg): spin up to `spin` nanoseconds, then sleep on the side's
 * futex word, waking every NAP_MS to look at the peer.  SPIN_ONLY never
 * sleeps; it gives up after SPIN_ONLY_S seconds.  Nothing here loops
 * without a bound: every way out is a result. */
static enum waited await(struct side *s, bool (*ready)(void *), void *arg, enum how how, int spin,
                         uint64_t wake_at)
{
    if (how == SPIN_ONLY) {
        int64_t start = now_ns(), last_look = start;
        for (unsigned long i = 1;; i++) {
            if (ready(arg))
                return READY;
            if (atomic_load_explicit(&H->stop, memory_order_acquire))
                return STOPPED;
            relax();
            if (i % 1024 == 0) {
                int64_t t = now_ns();
                if (t - start > (int64_t)(SPIN_ONLY_S * 1e9))
                    return GAVE_UP;
                if (t - last_look > 50000000) {
                    last_look = t;
                    if (!peer_alive())
                        return PEER_GONE;
                }
            }
        }
    }
    /* The spin adapts: halved after one that ended in a sleep (the other
     * process was not running), doubled after one that paid off. */
    if (how == SPIN_FUTEX && spin > 0) {
        int64_t *now_spin = spin_of(s);
        int64_t budget = *now_spin > 0 && *now_spin <= spin ? *now_spin : spin;
        int64_t until = now_ns() + budget;
        for (int i = 1;; i++) {
            if (ready(arg)) {
                *now_spin = budget * 2 < spin ? budget * 2 : spin;
                return READY;
            }
            relax();
            if (i % 32 == 0 && now_ns() > until)
                break;
        }
        *now_spin = budget / 2 > SPIN_MIN ? budget / 2 : SPIN_MIN;
    }
    /* [lesson:sleep] */
    for (;;) {
        uint32_t seen = atomic_load_explicit(&s->seq, memory_order_acquire);
        atomic_store_explicit(&s->wake_at, wake_at, memory_order_relaxed);
        atomic_store_explicit(&s->sleeping, 1, memory_order_relaxed);
        atomic_thread_fence(memory_order_seq_cst);
        if (ready(arg)) {
            atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
            atomic_store_explicit(&s->wake_at, 0, memory_order_relaxed);
            return READY;
        }
        if (atomic_load_explicit(&H->stop, memory_order_acquire))
            return STOPPED;
        int64_t t0 = now_ns();
        futex_wait(&s->seq, seen);
        atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
        atomic_store_explicit(&s->wake_at, 0, memory_order_relaxed);
        if (ready(arg))
            return READY;
        if (now_ns() - t0 >= (NAP_MS - 5) * 1000000LL && !peer_alive())
            return PEER_GONE;
    }
    /* [/lesson] */
}

/* ---- the ring: the producer's put and the consumer's get ---------------- */

struct ring { unsigned char *buf; uint64_t size, need, end; };

static bool has_room(void *arg)
{
    struct ring *r = arg;
    uint64_t head = atomic_load_explicit(&H->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&H->tail, memory_order_acquire);
    return r->size - (head - tail) >= r->need;
}

static bool has_data(void *arg)
{
    struct ring *r = arg;
    uint64_t head = atomic_load_explicit(&H->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&H->tail, memory_order_relaxed);
    return head - tail >= r->need;
}

/* [lesson:ring] */
/* Copy n bytes in at the head (in two parts where the ring wraps), then
 * publish them: the release store makes the bytes visible before the new
 * head is.  Win32: the same atomics; SetEvent instead of FUTEX_WAKE. */
static enum waited ring_put(struct ring *r, const unsigned char *p, uint64_t n, int spin)
{
    enum waited w;

    uint64_t head = atomic_load_explicit(&H->head, memory_order_relaxed);
    /* Asleep, it is woken when half the ring is free, not at each message. */
    int64_t half = (int64_t)head - (int64_t)(r->size - n) + (int64_t)(r->size / 2);
    r->need = n;
    w = await(&H->space, has_room, r, SPIN_FUTEX, spin,
              half < 0 ? 0 : half > (int64_t)head ? head : (uint64_t)half);
    if (w != READY)
        return w;
    uint64_t at = head % r->size, first = n < r->size - at ? n : r->size - at;
    memcpy(r->buf + at, p, first);
    memcpy(r->buf, p + first, n - first);
    atomic_store_explicit(&H->head, head + n, memory_order_release);
    publish(&H->data, head + n);
    return READY;
}

/* Wait for n bytes at the tail and check them where they lie, in the shared
 * pages, with no copy; then give the room back (release: done reading). */
static enum waited ring_get(struct ring *r, struct sum *s, uint64_t n, int spin)
{
    enum waited w;

    uint64_t tail = atomic_load_explicit(&H->tail, memory_order_relaxed);
    /* Asleep, it is woken when half the ring is full (or the stream ends). */
    uint64_t more = n > r->size / 2 ? n : r->size / 2;
    r->need = n;
    w = await(&H->data, has_data, r, SPIN_FUTEX, spin,
              tail + more < r->end ? tail + more : r->end);
    if (w != READY)
        return w;
    uint64_t at = tail % r->size, first = n < r->size - at ? n : r->size - at;
    sum_add(s, r->buf + at, first);
    sum_add(s, r->buf, n - first);
    atomic_store_explicit(&H->tail, tail + n, memory_order_release);
    publish(&H->space, tail + n);
    return READY;
}
/* [/lesson] */

/* ---- the channels ------------------------------------------------------ */

enum kind { K_MEMCPY, K_RING, K_PIPE, K_SOCKET };

struct row {
    char name[64];
    double bytes;                /* carried in the measure */
    double secs;                 /* < 0: not measured (gave up) */
    long long msgs;
    double calls;                /* both processes together */
    const char *note;
};

static unsigned char *src;       /* the stream: src[i] = stream[i % SRC_LEN] */
static uint64_t want[2];         /* the stream's checksum, */
static off_t want_for = -1;      /* for a stream of this many bytes */
static int spin_rounds;          /* 0 when this process may use only one CPU */

static uint64_t msg_len(long long m)
{
    uint64_t left = (uint64_t)total - (uint64_t)m * (uint64_t)chunk;
    return left < (uint64_t)chunk ? left : (uint64_t)chunk;
}

static long long messages(void)
{
    return (long long)(((uint64_t)total + (uint64_t)chunk - 1) / (uint64_t)chunk);
}

static const unsigned char *stream_at(long long m)
{
    return src + ((uint64_t)m * (uint64_t)chunk) % SRC_LEN;
}

static const char *obj_name;     /* the object's name and descriptor, for the child */
static int obj_fd = -1;

/* The producer died without removing the object (SIGKILL): the consumer,
 * of the same run, removes the name if it is still the object it maps. */
static void take_back_name(void)
{
    struct stat mine, named;
    char path[300];

    snprintf(path, sizeof path, "/dev/shm%s", obj_name);
    if (obj_fd < 0 || fstat(obj_fd, &mine) == -1 || lstat(path, &named) == -1 ||
        mine.st_ino != named.st_ino || mine.st_dev != named.st_dev)
        return;
    if (shm_unlink(obj_name) == 0)
        ml_error("this child removed %s, which this run made: nothing is left in /dev/shm",
                 obj_name);
}

/* The checksum the consumer must find: the stream's, summed here, once
 * for each total, after the measure. */
static void stream_sum(void)
{
    struct sum s = { 0 };

    if (want_for == total)
        return;
    for (long long m = 0; m < messages(); m++)
        sum_add(&s, stream_at(m), msg_len(m));
    sum_end(&s, want);
    want_for = total;
}

/* The child's side of a bulk channel: take every message, sum it, report. */
static _Noreturn void consume(enum kind k, struct ring *r, int fd)
{
    struct sum s = { 0 };
    long long n = messages(), m;
    uint64_t got = 0;
    unsigned char *buf = NULL;
    enum waited w = READY;

    calls = 0;
    if (k != K_RING) {
        buf = malloc((size_t)chunk);
        if (buf == NULL)
            _exit(1);
        memset(buf, 0, (size_t)chunk);           /* its pages, before the clock runs */
    }
    atomic_store_explicit(&H->ready, 1, memory_order_release);
    publish(&H->pp[0], UINT64_MAX);
    for (m = 0; m < n; m++) {
        uint64_t len = msg_len(m);
        if (k == K_RING) {
            if ((w = ring_get(r, &s, len, spin_rounds)) != READY)
                break;
        } else {
            uint64_t have = 0;
            while (have < len) {
                calls++;
                ssize_t d = read(fd, buf + have, len - have);
                if (d <= 0)
                    break;
                have += (uint64_t)d;
            }
            sum_add(&s, buf, have);
            got += have;
            if (have < len) {
                w = PEER_GONE;
                break;
            }
            continue;
        }
        got += len;
    }
    H->end_ns = now_ns();
    sum_end(&s, H->sum);
    H->bytes = got;
    H->calls = (uint64_t)calls;
    free(buf);
    if (w == PEER_GONE) {
        ml_error("the producer (pid %d) is gone: %llu of %lld bytes arrived, then %s; "
                 "the consumer stops here instead of waiting for ever", (int)peer,
                 (unsigned long long)got, (long long)total,
                 k == K_RING ? "no word for 100 ms and its pid is no longer the parent"
                             : "end of file");
        take_back_name();
        _exit(3);
    }
    _exit(w == READY ? 0 : 3);
}

/* The child died: say how, and how far the channel had come. */
static void say_child_death(const char *what, uint64_t sent)
{
    char how[64], where[128];

    if (WIFSIGNALED(peer_status))
        snprintf(how, sizeof how, "died of SIG%s", sigabbrev_np(WTERMSIG(peer_status)) ?
                 sigabbrev_np(WTERMSIG(peer_status)) : "?");
    else
        snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(peer_status));
    if (strcmp(what, "ping-pong") == 0)
        snprintf(where, sizeof where, "the other player (pid %d)", (int)peer);
    else
        snprintf(where, sizeof where, "the consumer (pid %d)", (int)peer);
    if (strcmp(what, "ping-pong") == 0)
        ml_error("%s %s during the ping-pong: this process noticed at its next wait and "
                 "stops; no wait here is endless", where, how);
    else
        ml_error("%s %s during the %s, after %llu of %lld bytes were sent: this process "
                 "noticed at its next wait and stops; no wait here is endless", where, how,
                 what, (unsigned long long)sent, (long long)total);
}

static bool child_ready(void *arg)
{
    (void)arg;
    return atomic_load_explicit(&H->ready, memory_order_acquire) != 0;
}

/* fork a child; stop signals take it straight down, without the library's
 * words (it made nothing of its own to remove). */
static pid_t spawn(void)
{
    pid_t parent = getpid();

    atomic_store(&H->ready, 0);
    atomic_store(&H->stop, 0);
    atomic_store(&H->head, 0);                   /* before the child runs: no race */
    atomic_store(&H->tail, 0);
    H->failed = 0;
    pid_t pid = fork();
    if (pid == 0) {
        is_child = true;
        peer = parent;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        if (getppid() != parent)
            _exit(3);
    } else if (pid > 0) {
        peer = pid;
        peer_status = -1;
    }
    return pid;
}

/* Reap the child (if not already) and judge what it saw; false when it
 * failed.  The consumer's checksum must be the stream's. */
static bool reaped(const char *what, uint64_t sent)
{
    if (peer_status == -1)
        while (waitpid(peer, &peer_status, 0) == -1 && errno == EINTR)
            ;
    if (!WIFEXITED(peer_status) || WEXITSTATUS(peer_status) != 0) {
        say_child_death(what, sent);
        return false;
    }
    return true;
}

/* Send the stream through one channel to a child that checks it. */
static void bulk(enum kind k, struct ring *r, int wfd, int rfd, const char *what, struct row *row)
{
    long long n = messages(), m;
    enum waited w = READY;
    uint64_t sent = 0;
    int64_t t0;

    if (r != NULL)
        r->end = (uint64_t)total;
    ml_call("fork", "CreateProcess", "/* the consumer */");
    pid_t pid = spawn();
    if (pid == 0) {
        if (wfd >= 0)
            close(wfd);
        consume(k, r, rfd);
    }
    ml_must(ml_result(pid));
    if (rfd >= 0)
        close(rfd);
    if (await(&H->pp[0], child_ready, NULL, FUTEX_ONLY, 0, 0) != READY) {
        reaped(what, 0);
        ml_exit(ML_FAILED);
    }
    calls = 0;
    t0 = now_ns();
    for (m = 0; m < n; m++) {
        uint64_t len = msg_len(m), done = 0;
        const unsigned char *p = stream_at(m);
        if (k == K_RING) {
            if ((w = ring_put(r, p, len, spin_rounds)) != READY)
                break;
            done = len;
        }
        while (k != K_RING && done < len) {
            calls++;
            ssize_t d = write(wfd, p + done, len - done);
            if (d <= 0) {
                w = PEER_GONE;
                break;
            }
            done += (uint64_t)d;
        }
        sent += done;
        if (w != READY)
            break;
    }
    long mine = calls;
    if (wfd >= 0)
        close(wfd);                              /* end of file for the consumer */
    if (!reaped(what, sent))
        ml_exit(ML_FAILED);
    stream_sum();
    bool same = H->sum[0] == want[0] && H->sum[1] == want[1] && H->bytes == (uint64_t)total;
    ml_say("the consumer took %llu bytes in %lld %s; checksum %016llx%016llx: %s",
           (unsigned long long)H->bytes, n, ml_plural(n, "message", "messages"),
           (unsigned long long)H->sum[0], (unsigned long long)H->sum[1],
           same ? "every byte arrived as sent" : "THE BYTES DIFFER");
    if (!same) {
        ml_error("%s: the consumer's checksum is not the stream's: a byte was lost or changed", what);
        ml_exit(ML_FAILED);
    }
    row->secs = (double)(H->end_ns - t0) / 1e9;
    row->bytes = (double)total;
    row->msgs = n;
    row->calls = (double)(mine + (long)H->calls) / (double)n;
    H->end_ns = 0, H->calls = 0;                 /* taken */
}

/* The in-process ceiling: memcpy of the same messages into one buffer. */
static void ceiling(unsigned char *dst, struct row *row)
{
    long long n = messages();
    int64_t t0 = now_ns();
    for (long long m = 0; m < n; m++)
        memcpy(dst, stream_at(m), msg_len(m));
    __asm__ __volatile__("" : : "r"(dst) : "memory");   /* the copies must be made */
    row->secs = (double)(now_ns() - t0) / 1e9;
    row->bytes = (double)total;
    row->msgs = n;
    row->calls = 0;
}

/* ---- ping-pong: one word there and back ---------------------------------- */

struct want_ball { uint32_t v; };

static bool ball_is(void *arg)
{
    struct want_ball *b = arg;
    return atomic_load_explicit(&H->ball, memory_order_acquire) == b->v;
}

static void serve(int me, uint32_t v, enum how how)
{
    atomic_store_explicit(&H->ball, v, memory_order_release);
    if (how != SPIN_ONLY)
        publish(&H->pp[!me], UINT64_MAX);
}

/* Round trips of one kind; pipe when how < 0.  Returns the row. */
static void pingpong(int how, struct row *row)
{
    int ab[2], ba[2];
    enum waited w = READY;
    long long t;
    int64_t t0, limit;

    if (how < 0) {
        ml_call("pipe", "CreatePipe(&hRead, &hWrite, NULL, 0)", "/* there */ ab; /* back */ ba");
        ml_must(ml_result(pipe(ab)) && ml_result(pipe(ba)));
    }
    atomic_store(&H->ball, 0);
    ml_call("fork", "CreateProcess", "/* the other player */");
    pid_t pid = spawn();
    if (pid == 0) {
        calls = 0;
        atomic_store_explicit(&H->ready, 1, memory_order_release);
        publish(&H->pp[0], UINT64_MAX);
        for (t = 0; t < trips; t++) {
            char c;
            if (how < 0) {
                calls += 2;
                if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1) {
                    w = PEER_GONE;
                    break;
                }
                continue;
            }
            struct want_ball b = { (uint32_t)(2 * t + 1) };
            w = await(&H->pp[1], ball_is, &b, (enum how)how, spin_rounds, 0);
            if (w != READY)
                break;
            serve(1, (uint32_t)(2 * t + 2), (enum how)how);
        }
        H->calls = (uint64_t)calls;
        if (w == PEER_GONE) {
            ml_error("the other player (pid %d) is gone after %lld round trips; this one stops",
                     (int)peer, t);
            take_back_name();
            _exit(4);
        }
        _exit(0);
    }
    ml_must(ml_result(pid));
    if (await(&H->pp[0], child_ready, NULL, FUTEX_ONLY, 0, 0) != READY) {
        reaped("ping-pong", 0);
        ml_exit(ML_FAILED);
    }
    calls = 0;
    t0 = now_ns();
    limit = t0 + (int64_t)(SPIN_ONLY_S * 1e9);
    for (t = 0; t < trips; t++) {
        if (how < 0) {
            char c = (char)t;
            calls += 2;
            if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1 || c != (char)t) {
                w = PEER_GONE;
                break;
            }
            continue;
        }
        serve(0, (uint32_t)(2 * t + 1), (enum how)how);
        struct want_ball b = { (uint32_t)(2 * t + 2) };
        w = await(&H->pp[0], ball_is, &b, (enum how)how, spin_rounds, 0);
        if (w != READY)
            break;
        if (how == SPIN_ONLY && now_ns() > limit) {
            t++;
            w = STOPPED;                         /* enough: the time is the result */
            break;
        }
    }
    int64_t t1 = now_ns();
    long mine = calls;
    if (w != READY) {
        atomic_store_explicit(&H->stop, 1, memory_order_release);
        publish(&H->pp[1], UINT64_MAX);
    }
    if (how < 0) {
        close(ab[1]), close(ba[0]), close(ab[0]), close(ba[1]);
    }
    if (!reaped("ping-pong", 0))
        ml_exit(ML_FAILED);
    if (w == PEER_GONE) {
        ml_error("the other player (pid %d) went away during the ping-pong", (int)peer);
        ml_exit(ML_FAILED);
    }
    row->msgs = t;
    row->bytes = 0;
    row->secs = t > 0 ? (double)(t1 - t0) / 1e9 : -1;
    row->calls = t > 0 ? (double)(mine + (long)H->calls) / (double)t : 0;
    if (w == GAVE_UP) {
        row->note = "GAVE UP: one wait spun 1 s with no answer";
        ml_say("a spin-only wait spun for %.0f s with no answer after %lld round trips: gave up "
               "(both processes on one CPU? then the one spinning holds the CPU the other needs)",
               SPIN_ONLY_S, t);
    } else if (w == STOPPED) {
        row->note = "stopped after 1 s: too slow to finish";
        ml_say("spin only: stopped after %.0f s and %lld of %lld round trips; each took %.1f us",
               SPIN_ONLY_S, t, trips, (double)(t1 - t0) / 1e3 / (double)t);
    }
}

/* ---- the table ----------------------------------------------------------- */

static void table(const char *title, struct row *rows, int n, bool bulk_rows)
{
    double best = 0;

    for (int i = 0; i < n; i++) {
        double v = rows[i].secs > 0 ? rows[i].msgs / rows[i].secs : 0;
        if (v > best)
            best = v;
    }
    ml_show("%s", title);
    ml_show("  %-30s %12s %14s %10s %9s", "channel", bulk_rows ? "GiB/s" : "trips/s",
            bulk_rows ? "per message" : "per trip", "syscalls", "vs best");
    for (int i = 0; i < n; i++) {
        struct row *r = &rows[i];
        if (r->secs <= 0) {
            ml_show("  %-30s %12s %14s %10s %9s  %s", r->name, "-", "-", "-", "-",
                    r->note ? r->note : "");
            continue;
        }
        double per = r->secs / (double)r->msgs, rate = (double)r->msgs / r->secs;
        char thr[32], t[32];
        if (bulk_rows)
            snprintf(thr, sizeof thr, "%.3g", r->bytes / r->secs / (1 << 30));
        else
            snprintf(thr, sizeof thr, "%.0f", rate);
        if (per < 1e-6)
            snprintf(t, sizeof t, "%.0f ns", per * 1e9);
        else if (per < 1e-3)
            snprintf(t, sizeof t, "%.2f us", per * 1e6);
        else
            snprintf(t, sizeof t, "%.2f ms", per * 1e3);
        ml_show("  %-30s %12s %14s %10.3f %8.2fx%s%s", r->name, thr, t, r->calls,
                rate / best, r->note ? "  " : "", r->note ? r->note : "");
    }
}

/* A size for a row's name: exact when it is not a whole number of KiB. */
static void label(off_t n, char *out, size_t outsz)
{
    if (n % 1024 != 0)
        snprintf(out, outsz, "%lld bytes", (long long)n);
    else
        ml_human_size((unsigned long long)n, out, outsz);
}

static int cpus_allowed(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

/* The usage errors no single option's rule can see: the rule, then what
 * to give instead. */
static void refuse(const char *fmt, const char *next, long long a, long long b)
{
    char why[200];
    snprintf(why, sizeof why, fmt, a, b);
    ml_error("%s; %s.  Nothing was done.  Try '12-channels --help' for more.", why, next);
    ml_exit(ML_USAGE);
}

static void refuse_only(void)
{
    ml_error("--only '%s' is not a channel: it takes ring, pipe, socketpair or ping-pong; "
             "give one of those, or leave --only out for all of them.  Nothing was done.  "
             "Try '12-channels --help' for more.", only);
    ml_exit(ML_USAGE);
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct row bulk_rows[6], pp_rows[4];
    int nb = 0, np = 0, fd, p[2], sv[2];
    bool all, ringed;
    size_t room;
    char hs[32], hr[32], ht[32];

    ml_start(&prog, argc, argv, &o);
    all = strcmp(only, "all") == 0;
    ringed = all || strcmp(only, "ring") == 0;
    if (!all && strcmp(only, "ring") && strcmp(only, "pipe") && strcmp(only, "socketpair") &&
        strcmp(only, "ping-pong"))
        refuse_only();
    if (chunk > (1LL << 30))
        refuse("--chunk %lld is more than 1 GiB (%lld), the most a message may carry",
               "give a smaller --chunk", (long long)chunk, 1LL << 30);
    if (chunk > ring)
        refuse("--chunk %lld is larger than --ring %lld: the ring must hold a whole message",
               "give a --ring at least as large as --chunk (one message: a ring of one slot)",
               (long long)chunk, (long long)ring);
    if (ring > (4LL << 30) || (!no_big && big > (4LL << 30)))
        refuse("a ring of %lld bytes is more than 4 GiB (%lld), the most this program maps",
               "give a smaller --ring or --big-ring", (long long)(ring > big ? ring : big), 4LL << 30);
    if (total < chunk)
        refuse("--total %lld is less than one --chunk (%lld)",
               "give a --total of at least one chunk", (long long)total, (long long)chunk);
    if (total > (1LL << 40))
        refuse("--total %lld is more than 1 TiB (%lld) per channel", "give a smaller --total",
               (long long)total, 1LL << 40);
    if (!no_big && big < ring)
        refuse("--big-ring %lld is smaller than --ring %lld: it is there to be larger than the cache",
               "give a larger --big-ring, or --no-big-ring", (long long)big, (long long)ring);

    label(chunk, hs, sizeof hs);
    label(ring, hr, sizeof hr);
    ml_human_size((unsigned long long)total, ht, sizeof ht);
    signal(SIGPIPE, SIG_IGN);                    /* a reader gone is EPIPE, explained */

    if (one_cpu) {
        cpu_set_t set;
        ml_step("pin", "both processes on one CPU: what a spinning waiter does then");
        ml_must(sched_getaffinity(0, sizeof set, &set) == 0);
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &set)) {
                CPU_ZERO(&set);
                CPU_SET(c, &set);
                break;
            }
        ml_call("sched_setaffinity", "SetProcessAffinityMask(GetCurrentProcess(), 1)", "0, one CPU");
        ml_must(ml_result(sched_setaffinity(0, sizeof set, &set)));
    }
    spin_rounds = cpus_allowed() > 1 ? SPIN : 0;
    if (spin_rounds == 0)
        ml_say("this process may run on one CPU only: a waiter goes straight to the futex "
               "(a spin would only hold off the process it waits for)");

    src = malloc(SRC_LEN + (size_t)chunk);
    unsigned char *dst = malloc((size_t)chunk);
    ml_must(src != NULL && dst != NULL);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < SRC_LEN + (size_t)chunk; i++) {
        if (i < SRC_LEN)
            x ^= x << 13, x ^= x >> 7, x ^= x << 17, src[i] = (unsigned char)x;
        else
            src[i] = src[i - SRC_LEN];
    }
    if (all) {
        ml_step("memcpy", "the ceiling: %s in %s messages copied inside one process", ht, hs);
        snprintf(bulk_rows[nb].name, sizeof bulk_rows[nb].name, "memcpy in-process (%s)", hs);
        bulk_rows[nb].note = NULL;
        ceiling(dst, &bulk_rows[nb++]);
    }

    /* The object holds the header and the larger of the two rings. */
    room = HDR + (size_t)(no_big || !ringed ? ring : big);
    ml_step("create", "a shared memory object for the ring: %s of bytes after a page of counters", hr);
    /* [lesson:create] */
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
    ml_must(ml_result(fd));
    ml_made_shm(o.name);
    obj_name = o.name, obj_fd = fd;
    ml_call("ftruncate", "(the size is CreateFileMapping's argument)", "%d, %zu", fd, room);
    ml_must(ml_result(ftruncate(fd, (off_t)room)));
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, size)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, %d, 0", room, fd);
    void *base = mmap(NULL, room, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    ml_must(ml_result_ptr(base));
    /* [/lesson] */
    ml_say("MAP_POPULATE: every page is had now, so that no page fault is in the measures");
    H = base;
    struct ring r = { (unsigned char *)base + HDR, (uint64_t)ring, 0, 0 };

    if (ringed) {
        ml_step("ring", "the ring: %s in %s messages through %s of shared memory", ht, hs, hr);
        snprintf(bulk_rows[nb].name, sizeof bulk_rows[nb].name, "shared ring (%s)", hr);
        bulk_rows[nb].note = NULL;
        bulk(K_RING, &r, -1, -1, "ring", &bulk_rows[nb++]);
        ml_hold("the ring has carried the stream; its object is still there: 'mmapview %s' "
                "shows the counters' page, then the ring", o.name);
        if (!no_big) {
            char hb[32];
            label(big, hb, sizeof hb);
            struct ring rb = { (unsigned char *)base + HDR, (uint64_t)big, 0, 0 };
            off_t keep = total;
            if (total < 4 * big)
                total = 4 * big;                 /* every byte goes round the ring four times */
            ml_human_size((unsigned long long)total, ht, sizeof ht);
            ml_step("big-ring", "the same through a ring of %s, larger than the cache: %s", hb, ht);
            snprintf(bulk_rows[nb].name, sizeof bulk_rows[nb].name, "shared ring (%s)", hb);
            bulk_rows[nb].note = keep == total ? NULL : "(its own total: 4 rings)";
            bulk(K_RING, &rb, -1, -1, "big ring", &bulk_rows[nb++]);
            total = keep;
            ml_human_size((unsigned long long)total, ht, sizeof ht);
        }
    }

    if (all || strcmp(only, "pipe") == 0) {
        ml_step("pipe", "a pipe: every message copied into the kernel and out again");
        ml_call("pipe", "CreatePipe(&hRead, &hWrite, NULL, 0)", "p");
        ml_must(ml_result(pipe(p)));
        ml_call("fcntl", "(none)", "%d, F_GETPIPE_SZ", p[1]);
        int psz = fcntl(p[1], F_GETPIPE_SZ);
        ml_must(ml_result(psz));
        snprintf(bulk_rows[nb].name, sizeof bulk_rows[nb].name, "pipe (%d KiB)", psz >> 10);
        bulk_rows[nb].note = NULL;
        bulk(K_PIPE, NULL, p[1], p[0], "pipe", &bulk_rows[nb++]);

        ml_step("big-pipe", "a pipe grown to hold the ring's size, as far as the system allows");
        ml_call("pipe", "CreatePipe(&hRead, &hWrite, NULL, nSize)", "p");
        ml_must(ml_result(pipe(p)));
        long want_sz = ring, max_sz = 0;
        FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
        if (f != NULL) {
            if (fscanf(f, "%ld", &max_sz) != 1)
                max_sz = 0;
            fclose(f);
        }
        if (max_sz > 0 && want_sz > max_sz) {
            ml_say("/proc/sys/fs/pipe-max-size is %ld: a pipe may not grow past it", max_sz);
            want_sz = max_sz;
        }
        ml_call("fcntl", "(none: CreatePipe's nSize is only a suggestion)", "%d, F_SETPIPE_SZ, %ld",
                p[1], want_sz);
        psz = fcntl(p[1], F_SETPIPE_SZ, (int)want_sz);
        ml_must(ml_result(psz));
        snprintf(bulk_rows[nb].name, sizeof bulk_rows[nb].name, "pipe, F_SETPIPE_SZ (%d KiB)",
                 psz >> 10);
        bulk_rows[nb].note = NULL;
        bulk(K_PIPE, NULL, p[1], p[0], "grown pipe", &bulk_rows[nb++]);
    }

    if (all || strcmp(only, "socketpair") == 0) {
        ml_step("socketpair", "a pair of connected local sockets");
        ml_call("socketpair", "(none: a named pipe, or a socket on localhost)",
                "AF_UNIX, SOCK_STREAM, 0, sv");
        ml_must(ml_result(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
        snprintf(bulk_rows[nb].name, sizeof bulk_rows[nb].name, "socketpair(AF_UNIX)");
        bulk_rows[nb].note = NULL;
        bulk(K_SOCKET, NULL, sv[0], sv[1], "socketpair", &bulk_rows[nb++]);
    }

    if (all || strcmp(only, "ping-pong") == 0) {
        static const char *names[4] = { "spin only", "spin, then futex", "futex only", "pipe, 1 byte" };
        static const int hows[4] = { SPIN_ONLY, SPIN_FUTEX, FUTEX_ONLY, -1 };
        for (int i = 0; i < 4; i++) {
            ml_step("ping-pong", "%lld round trips, %s", trips, names[i]);
            snprintf(pp_rows[np].name, sizeof pp_rows[np].name, "%s", names[i]);
            pp_rows[np].note = NULL;
            pingpong(hows[i], &pp_rows[np++]);
        }
    }

    ml_step("table", "what each channel cost");
    if (nb > 0)
        table("moving the stream (each row's checksum matched):", bulk_rows, nb, true);
    if (np > 0)
        table("ping-pong, one word there and back:", pp_rows, np, false);

    ml_step("unlink", "unmap, close, remove the name");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %zu", base, room);
    ml_must(ml_result(munmap(base, room)));
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    ml_must(ml_result(close(fd)));
    ml_call("shm_unlink", "(none: the last CloseHandle removes a Win32 object)", "\"%s\"", o.name);
    ml_must(ml_result(shm_unlink(o.name)));
    ml_made_done();
    free(src);
    free(dst);
    ml_next("the lesson (lessons/12-channels.md) explains each row; 13-page-faults "
            "measures what a page costs when it is first touched.");
    ml_exit(ML_DONE);
}
