/* channels.c — the measures of 12-channels: see channels.h.
 *
 * Each channel gets a child of its own (fork); the parent produces the
 * stream, the child consumes it and sums it, and the parent compares the
 * child's sum with the stream's.  The child's results come back through the
 * object's first page, beside the ring's counters.
 */
#include "channels.h"
#include "mmaplab.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPIN    20000                    /* ns to spin before a futex wait: less than a sleep costs */
#define SRC_LEN ((1 << 20) + 4093)       /* the stream repeats every SRC_LEN bytes */

/* The object's first page: the ring's counters, then the ping-pong's words
 * and what the child reports. */
struct shared {
    struct ring_page ring;
    alignas(64) _Atomic uint32_t ball;   /* ping-pong: odd from the parent, even back */
    alignas(64) struct ring_side pp[2];  /* [0] the parent waits, [1] the child */
    alignas(64) _Atomic uint32_t ready;  /* the child is set up */
    _Atomic uint32_t stop;               /* one side gave up: the other stops too */
    uint64_t sum[2], bytes, calls;       /* the child's results */
    int64_t end_ns;                      /* when the child had the last byte */
};
_Static_assert(sizeof(struct shared) <= CH_HDR, "the counters fit their page");
_Static_assert(offsetof(struct shared, ready) == 0x180, "lesson 12 reads the page at these offsets");

enum kind { K_RING, K_PIPE, K_SOCKET };

static struct ch_config *cfg;
static struct shared *H;
static unsigned char *src;       /* the stream: src[i] = stream[i % SRC_LEN] */
static unsigned char *dst;       /* memcpy's destination */
static uint64_t want[2];         /* the stream's checksum, */
static off_t want_for = -1;      /* for a stream of this many bytes */
static int spin_rounds;          /* 0 when this process may use only one CPU */
static const char *obj_name;     /* the object's name and descriptor, for the child */
static int obj_fd = -1;
static unsigned char *obj_base;

/* ---- the options, the CPUs, the stream ------------------------------------ */

/* The usage errors no single option's rule can see: the rule, then what
 * to give instead. */
static void refuse(const char *fmt, const char *next, long long a, long long b)
{
    char why[200];
    snprintf(why, sizeof why, fmt, a, b);
    ml_error("%s; %s.  Nothing was done.  Try '12-channels --help' for more.", why, next);
    ml_exit(ML_USAGE);
}

static void check(const struct ch_config *c)
{
    if (!ch_wants("ring") && !ch_wants("pipe") && !ch_wants("socketpair") && !ch_wants("ping-pong")) {
        ml_error("--only '%s' is not a channel: it takes ring, pipe, socketpair or ping-pong; "
                 "give one of those, or leave --only out for all of them.  Nothing was done.  "
                 "Try '12-channels --help' for more.", c->only);
        ml_exit(ML_USAGE);
    }
    if (c->chunk > (1LL << 30))
        refuse("--chunk %lld is more than 1 GiB (%lld), the most a message may carry",
               "give a smaller --chunk", (long long)c->chunk, 1LL << 30);
    if (c->chunk > c->ring)
        refuse("--chunk %lld is larger than --ring %lld: the ring must hold a whole message",
               "give a --ring at least as large as --chunk (one message: a ring of one slot)",
               (long long)c->chunk, (long long)c->ring);
    if (c->ring > (4LL << 30) || (!c->no_big && c->big > (4LL << 30)))
        refuse("a ring of %lld bytes is more than 4 GiB (%lld), the most this program maps",
               "give a smaller --ring or --big-ring",
               (long long)(c->ring > c->big ? c->ring : c->big), 4LL << 30);
    if (c->total < c->chunk)
        refuse("--total %lld is less than one --chunk (%lld)",
               "give a --total of at least one chunk", (long long)c->total, (long long)c->chunk);
    if (c->total > (1LL << 40))
        refuse("--total %lld is more than 1 TiB (%lld) per channel", "give a smaller --total",
               (long long)c->total, 1LL << 40);
    if (!c->no_big && c->big < c->ring)
        refuse("--big-ring %lld is smaller than --ring %lld: it is there to be larger than the cache",
               "give a larger --big-ring, or --no-big-ring", (long long)c->big, (long long)c->ring);
}

bool ch_wants(const char *channel)
{
    return strcmp(cfg->only, "all") == 0 || strcmp(cfg->only, channel) == 0;
}

size_t ch_object_size(void)
{
    return CH_HDR + (size_t)(cfg->no_big || !ch_wants("ring") ? cfg->ring : cfg->big);
}

/* A size for a row's name: exact when it is not a whole number of KiB. */
void ch_size_label(off_t n, char *out, size_t outsz)
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

static void pin_to_one_cpu(void)
{
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

void ch_prepare(struct ch_config *c)
{
    cfg = c;
    check(c);
    signal(SIGPIPE, SIG_IGN);                    /* a reader gone is EPIPE, explained */
    if (c->one_cpu)
        pin_to_one_cpu();
    spin_rounds = cpus_allowed() > 1 ? SPIN : 0;
    if (spin_rounds == 0)
        ml_say("this process may run on one CPU only: a waiter goes straight to the futex "
               "(a spin would only hold off the process it waits for)");

    src = malloc(SRC_LEN + (size_t)c->chunk);
    dst = malloc((size_t)c->chunk);
    ml_must(src != NULL && dst != NULL);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < SRC_LEN + (size_t)c->chunk; i++) {
        if (i < SRC_LEN)
            x ^= x << 13, x ^= x >> 7, x ^= x << 17, src[i] = (unsigned char)x;
        else
            src[i] = src[i - SRC_LEN];
    }
}

void ch_done(void)
{
    free(src);
    free(dst);
}

/* ---- the stream ----------------------------------------------------------- */

static uint64_t msg_len(long long m)
{
    uint64_t left = (uint64_t)cfg->total - (uint64_t)m * (uint64_t)cfg->chunk;
    return left < (uint64_t)cfg->chunk ? left : (uint64_t)cfg->chunk;
}

static long long messages(void)
{
    return (long long)(((uint64_t)cfg->total + (uint64_t)cfg->chunk - 1) / (uint64_t)cfg->chunk);
}

static const unsigned char *stream_at(long long m)
{
    return src + ((uint64_t)m * (uint64_t)cfg->chunk) % SRC_LEN;
}

/* The checksum the consumer must find: the stream's, summed here, once
 * for each total, after the measure. */
static void stream_sum(void)
{
    struct sum s = { 0 };

    if (want_for == cfg->total)
        return;
    for (long long m = 0; m < messages(); m++)
        sum_add(&s, stream_at(m), msg_len(m));
    sum_end(&s, want);
    want_for = cfg->total;
}

/* ---- the child ------------------------------------------------------------ */

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

static bool child_ready(void *arg)
{
    (void)arg;
    return atomic_load_explicit(&H->ready, memory_order_acquire) != 0;
}

/* The child says it is set up: the parent's clock may start. */
static void say_ready(void)
{
    atomic_store_explicit(&H->ready, 1, memory_order_release);
    ring_publish(&H->pp[0], UINT64_MAX);
}

/* The child's side of a bulk channel: take every message, sum it, report. */
static _Noreturn void consume(enum kind k, struct ring *r, int fd)
{
    struct sum s = { 0 };
    long long n = messages(), m;
    uint64_t got = 0;
    unsigned char *buf = NULL;
    enum ring_waited w = RING_READY;

    ring_calls = 0;
    if (k != K_RING) {
        buf = malloc((size_t)cfg->chunk);
        if (buf == NULL)
            _exit(1);
        memset(buf, 0, (size_t)cfg->chunk);      /* its pages, before the clock runs */
    }
    say_ready();
    for (m = 0; m < n; m++) {
        uint64_t len = msg_len(m);
        if (k == K_RING) {
            if ((w = ring_get(r, &s, len, spin_rounds)) != RING_READY)
                break;
        } else {
            uint64_t have = 0;
            while (have < len) {
                ring_calls++;
                ssize_t d = read(fd, buf + have, len - have);
                if (d <= 0)
                    break;
                have += (uint64_t)d;
            }
            sum_add(&s, buf, have);
            got += have;
            if (have < len) {
                w = RING_PEER_GONE;
                break;
            }
            continue;
        }
        got += len;
    }
    H->end_ns = ring_now_ns();
    sum_end(&s, H->sum);
    H->bytes = got;
    H->calls = (uint64_t)ring_calls;
    free(buf);
    if (w == RING_PEER_GONE) {
        ml_error("the producer (pid %d) is gone: %llu of %lld bytes arrived, then %s; "
                 "the consumer stops here instead of waiting for ever", (int)ring_peer.pid,
                 (unsigned long long)got, (long long)cfg->total,
                 k == K_RING ? "no word for 100 ms and its pid is no longer the parent"
                             : "end of file");
        take_back_name();
        _exit(3);
    }
    _exit(w == RING_READY ? 0 : 3);
}

/* ---- the parent: fork, reap, judge ---------------------------------------- */

/* The child died: say how, and how far the channel had come. */
static void say_child_death(const char *what, uint64_t sent)
{
    int st = ring_peer.status;
    char how[64], where[128];

    if (WIFSIGNALED(st))
        snprintf(how, sizeof how, "died of SIG%s", sigabbrev_np(WTERMSIG(st)) ?
                 sigabbrev_np(WTERMSIG(st)) : "?");
    else
        snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(st));
    if (strcmp(what, "ping-pong") == 0)
        snprintf(where, sizeof where, "the other player (pid %d)", (int)ring_peer.pid);
    else
        snprintf(where, sizeof where, "the consumer (pid %d)", (int)ring_peer.pid);
    if (strcmp(what, "ping-pong") == 0)
        ml_error("%s %s during the ping-pong: this process noticed at its next wait and "
                 "stops; no wait here is endless", where, how);
    else
        ml_error("%s %s during the %s, after %llu of %lld bytes were sent: this process "
                 "noticed at its next wait and stops; no wait here is endless", where, how,
                 what, (unsigned long long)sent, (long long)cfg->total);
}

/* fork a child; stop signals take it straight down, without the library's
 * words (it made nothing of its own to remove). */
static pid_t spawn(const char *who)
{
    pid_t parent = getpid();

    atomic_store(&H->ready, 0);
    atomic_store(&H->stop, 0);
    atomic_store(&H->ring.head, 0);              /* before the child runs: no race */
    atomic_store(&H->ring.tail, 0);
    ml_call("fork", "CreateProcess", "%s", who);
    pid_t pid = fork();
    if (pid == 0) {
        ring_peer.is_child = true;
        ring_peer.pid = parent;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        if (getppid() != parent)
            _exit(3);
        return 0;
    }
    ml_must(ml_result(pid));
    ring_peer.pid = pid;
    ring_peer.status = -1;
    return pid;
}

/* Reap the child (if not already) and judge what it saw; false when it
 * failed.  The consumer's checksum must be the stream's. */
static bool reaped(const char *what, uint64_t sent)
{
    if (ring_peer.status == -1)
        while (waitpid(ring_peer.pid, &ring_peer.status, 0) == -1 && errno == EINTR)
            ;
    if (!WIFEXITED(ring_peer.status) || WEXITSTATUS(ring_peer.status) != 0) {
        say_child_death(what, sent);
        return false;
    }
    return true;
}

/* Wait for the child to be set up; a child that died first is explained. */
static void await_child(const char *what)
{
    if (ring_await(&H->stop, &H->pp[0], child_ready, NULL, RING_FUTEX_ONLY, 0, 0) != RING_READY) {
        reaped(what, 0);
        ml_exit(ML_FAILED);
    }
}

/* Send the stream through one channel to a child that checks it. */
static void bulk(enum kind k, struct ring *r, int wfd, int rfd, const char *what, struct ch_row *row)
{
    long long n = messages(), m;
    enum ring_waited w = RING_READY;
    uint64_t sent = 0;
    int64_t t0;

    if (r != NULL)
        r->end = (uint64_t)cfg->total;
    if (spawn("/* the consumer */") == 0) {
        if (wfd >= 0)
            close(wfd);
        consume(k, r, rfd);
    }
    if (rfd >= 0)
        close(rfd);
    await_child(what);
    ring_calls = 0;
    t0 = ring_now_ns();
    for (m = 0; m < n; m++) {
        uint64_t len = msg_len(m), done = 0;
        const unsigned char *p = stream_at(m);
        if (k == K_RING) {
            if ((w = ring_put(r, p, len, spin_rounds)) != RING_READY)
                break;
            done = len;
        }
        while (k != K_RING && done < len) {
            ring_calls++;
            ssize_t d = write(wfd, p + done, len - done);
            if (d <= 0) {
                w = RING_PEER_GONE;
                break;
            }
            done += (uint64_t)d;
        }
        sent += done;
        if (w != RING_READY)
            break;
    }
    long mine = ring_calls;
    if (wfd >= 0)
        close(wfd);                              /* end of file for the consumer */
    if (!reaped(what, sent))
        ml_exit(ML_FAILED);
    stream_sum();
    bool same = H->sum[0] == want[0] && H->sum[1] == want[1] && H->bytes == (uint64_t)cfg->total;
    ml_say("the consumer took %llu bytes in %lld %s; checksum %016llx%016llx: %s",
           (unsigned long long)H->bytes, n, ml_plural(n, "message", "messages"),
           (unsigned long long)H->sum[0], (unsigned long long)H->sum[1],
           same ? "every byte arrived as sent" : "THE BYTES DIFFER");
    if (!same) {
        ml_error("%s: the consumer's checksum is not the stream's: a byte was lost or changed", what);
        ml_exit(ML_FAILED);
    }
    row->secs = (double)(H->end_ns - t0) / 1e9;
    row->bytes = (double)cfg->total;
    row->msgs = n;
    row->calls = (double)(mine + (long)H->calls) / (double)n;
    H->end_ns = 0, H->calls = 0;                 /* taken */
}

/* A new row at the end of rows, named. */
static struct ch_row *add_row(struct ch_row *rows, int *n, const char *name, const char *note)
{
    struct ch_row *row = &rows[(*n)++];

    snprintf(row->name, sizeof row->name, "%s", name);
    row->note = note;
    return row;
}

/* ---- the channels --------------------------------------------------------- */

/* The in-process ceiling: memcpy of the same messages into one buffer. */
void ch_memcpy(struct ch_table *t)
{
    char hs[32], ht[32], name[64];

    ch_size_label(cfg->chunk, hs, sizeof hs);
    ml_human_size((unsigned long long)cfg->total, ht, sizeof ht);
    ml_step("memcpy", "the ceiling: %s in %s messages copied inside one process", ht, hs);
    snprintf(name, sizeof name, "memcpy in-process (%s)", hs);
    struct ch_row *row = add_row(t->bulk, &t->nbulk, name, NULL);
    long long n = messages();
    int64_t t0 = ring_now_ns();
    for (long long m = 0; m < n; m++)
        memcpy(dst, stream_at(m), msg_len(m));
    __asm__ __volatile__("" : : "r"(dst) : "memory");   /* the copies must be made */
    row->secs = (double)(ring_now_ns() - t0) / 1e9;
    row->bytes = (double)cfg->total;
    row->msgs = n;
    row->calls = 0;
}

void ch_use(void *base, int fd, const char *name)
{
    H = base;
    obj_base = base;
    obj_fd = fd;
    obj_name = name;
}

void ch_ring(struct ch_table *t)
{
    char hs[32], hr[32], hb[32], ht[32], name[64];
    struct ring r = { &H->ring, &H->stop, obj_base + CH_HDR, (uint64_t)cfg->ring, 0, 0 };

    ch_size_label(cfg->chunk, hs, sizeof hs);
    ch_size_label(cfg->ring, hr, sizeof hr);
    ml_human_size((unsigned long long)cfg->total, ht, sizeof ht);
    ml_step("ring", "the ring: %s in %s messages through %s of shared memory", ht, hs, hr);
    snprintf(name, sizeof name, "shared ring (%s)", hr);
    bulk(K_RING, &r, -1, -1, "ring", add_row(t->bulk, &t->nbulk, name, NULL));
    ml_hold("the ring has carried the stream; its object is still there: 'mmapview %s' "
            "shows the counters' page, then the ring", obj_name);
    if (cfg->no_big)
        return;

    struct ring rb = { &H->ring, &H->stop, obj_base + CH_HDR, (uint64_t)cfg->big, 0, 0 };
    off_t keep = cfg->total;
    ch_size_label(cfg->big, hb, sizeof hb);
    if (cfg->total < 4 * cfg->big)
        cfg->total = 4 * cfg->big;               /* every byte goes round the ring four times */
    ml_human_size((unsigned long long)cfg->total, ht, sizeof ht);
    ml_step("big-ring", "the same through a ring of %s, larger than the cache: %s", hb, ht);
    snprintf(name, sizeof name, "shared ring (%s)", hb);
    bulk(K_RING, &rb, -1, -1, "big ring",
         add_row(t->bulk, &t->nbulk, name, keep == cfg->total ? NULL : "(its own total: 4 rings)"));
    cfg->total = keep;
}

/* The most a pipe may grow to; 0 when it cannot be read. */
static long pipe_max_size(void)
{
    long max_sz = 0;
    FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");

    if (f != NULL) {
        if (fscanf(f, "%ld", &max_sz) != 1)
            max_sz = 0;
        fclose(f);
    }
    return max_sz;
}

void ch_pipes(struct ch_table *t)
{
    int p[2];
    char name[64];

    ml_step("pipe", "a pipe: every message copied into the kernel and out again");
    ml_call("pipe", "CreatePipe(&hRead, &hWrite, NULL, 0)", "p");
    ml_must(ml_result(pipe(p)));
    ml_call("fcntl", "(none)", "%d, F_GETPIPE_SZ", p[1]);
    int psz = fcntl(p[1], F_GETPIPE_SZ);
    ml_must(ml_result(psz));
    snprintf(name, sizeof name, "pipe (%d KiB)", psz >> 10);
    bulk(K_PIPE, NULL, p[1], p[0], "pipe", add_row(t->bulk, &t->nbulk, name, NULL));

    ml_step("big-pipe", "a pipe grown to hold the ring's size, as far as the system allows");
    ml_call("pipe", "CreatePipe(&hRead, &hWrite, NULL, nSize)", "p");
    ml_must(ml_result(pipe(p)));
    long want_sz = cfg->ring, max_sz = pipe_max_size();
    if (max_sz > 0 && want_sz > max_sz) {
        ml_say("/proc/sys/fs/pipe-max-size is %ld: a pipe may not grow past it", max_sz);
        want_sz = max_sz;
    }
    ml_call("fcntl", "(none: CreatePipe's nSize is only a suggestion)", "%d, F_SETPIPE_SZ, %ld",
            p[1], want_sz);
    psz = fcntl(p[1], F_SETPIPE_SZ, (int)want_sz);
    ml_must(ml_result(psz));
    snprintf(name, sizeof name, "pipe, F_SETPIPE_SZ (%d KiB)", psz >> 10);
    bulk(K_PIPE, NULL, p[1], p[0], "grown pipe", add_row(t->bulk, &t->nbulk, name, NULL));
}

void ch_socketpair(struct ch_table *t)
{
    int sv[2];

    ml_step("socketpair", "a pair of connected local sockets");
    ml_call("socketpair", "(none: a named pipe, or a socket on localhost)",
            "AF_UNIX, SOCK_STREAM, 0, sv");
    ml_must(ml_result(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
    bulk(K_SOCKET, NULL, sv[0], sv[1], "socketpair",
         add_row(t->bulk, &t->nbulk, "socketpair(AF_UNIX)", NULL));
}

/* ---- ping-pong: one word there and back ----------------------------------- */

struct want_ball { uint32_t v; };

static bool ball_is(void *arg)
{
    struct want_ball *b = arg;
    return atomic_load_explicit(&H->ball, memory_order_acquire) == b->v;
}

static void serve(int me, uint32_t v, enum ring_how how)
{
    atomic_store_explicit(&H->ball, v, memory_order_release);
    if (how != RING_SPIN_ONLY)
        ring_publish(&H->pp[!me], UINT64_MAX);
}

/* The other player: return every ball (through the shared word, or back
 * through the pipe ba when how < 0). */
static _Noreturn void play_back(int how, int ab[2], int ba[2])
{
    enum ring_waited w = RING_READY;
    long long t;

    ring_calls = 0;
    say_ready();
    for (t = 0; t < cfg->trips; t++) {
        char c;
        if (how < 0) {
            ring_calls += 2;
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1) {
                w = RING_PEER_GONE;
                break;
            }
            continue;
        }
        struct want_ball b = { (uint32_t)(2 * t + 1) };
        w = ring_await(&H->stop, &H->pp[1], ball_is, &b, (enum ring_how)how, spin_rounds, 0);
        if (w != RING_READY)
            break;
        serve(1, (uint32_t)(2 * t + 2), (enum ring_how)how);
    }
    H->calls = (uint64_t)ring_calls;
    if (w == RING_PEER_GONE) {
        ml_error("the other player (pid %d) is gone after %lld round trips; this one stops",
                 (int)ring_peer.pid, t);
        take_back_name();
        _exit(4);
    }
    _exit(0);
}

/* Round trips of one kind; pipe when how < 0. */
static void pingpong(int how, struct ch_row *row)
{
    int ab[2] = { -1, -1 }, ba[2] = { -1, -1 };
    enum ring_waited w = RING_READY;
    long long t;
    int64_t t0, limit;

    if (how < 0) {
        ml_call("pipe", "CreatePipe(&hRead, &hWrite, NULL, 0)", "/* there */ ab; /* back */ ba");
        ml_must(ml_result(pipe(ab)));
        ml_must(ml_result(pipe(ba)));
    }
    atomic_store(&H->ball, 0);
    if (spawn("/* the other player */") == 0)
        play_back(how, ab, ba);
    await_child("ping-pong");
    ring_calls = 0;
    t0 = ring_now_ns();
    limit = t0 + (int64_t)(RING_SPIN_ONLY_S * 1e9);
    for (t = 0; t < cfg->trips; t++) {
        if (how < 0) {
            char c = (char)t;
            ring_calls += 2;
            if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1 || c != (char)t) {
                w = RING_PEER_GONE;
                break;
            }
            continue;
        }
        serve(0, (uint32_t)(2 * t + 1), (enum ring_how)how);
        struct want_ball b = { (uint32_t)(2 * t + 2) };
        w = ring_await(&H->stop, &H->pp[0], ball_is, &b, (enum ring_how)how, spin_rounds, 0);
        if (w != RING_READY)
            break;
        if (how == RING_SPIN_ONLY && ring_now_ns() > limit) {
            t++;
            w = RING_STOPPED;                    /* enough: the time is the result */
            break;
        }
    }
    int64_t t1 = ring_now_ns();
    long mine = ring_calls;
    if (w != RING_READY) {
        atomic_store_explicit(&H->stop, 1, memory_order_release);
        ring_publish(&H->pp[1], UINT64_MAX);
    }
    if (how < 0) {
        close(ab[1]), close(ba[0]), close(ab[0]), close(ba[1]);
    }
    if (!reaped("ping-pong", 0))
        ml_exit(ML_FAILED);
    if (w == RING_PEER_GONE) {
        ml_error("the other player (pid %d) went away during the ping-pong", (int)ring_peer.pid);
        ml_exit(ML_FAILED);
    }
    row->msgs = t;
    row->bytes = 0;
    row->secs = t > 0 ? (double)(t1 - t0) / 1e9 : -1;
    row->calls = t > 0 ? (double)(mine + (long)H->calls) / (double)t : 0;
    if (w == RING_GAVE_UP) {
        row->note = "GAVE UP: one wait spun 1 s with no answer";
        ml_say("a spin-only wait spun for %.0f s with no answer after %lld round trips: gave up "
               "(both processes on one CPU? then the one spinning holds the CPU the other needs)",
               RING_SPIN_ONLY_S, t);
    } else if (w == RING_STOPPED) {
        row->note = "stopped after 1 s: too slow to finish";
        ml_say("spin only: stopped after %.0f s and %lld of %lld round trips; each took %.1f us",
               RING_SPIN_ONLY_S, t, cfg->trips, (double)(t1 - t0) / 1e3 / (double)t);
    }
}

void ch_pingpong(struct ch_table *t)
{
    static const char *names[4] = { "spin only", "spin, then futex", "futex only", "pipe, 1 byte" };
    static const int hows[4] = { RING_SPIN_ONLY, RING_SPIN_FUTEX, RING_FUTEX_ONLY, -1 };

    for (int i = 0; i < 4; i++) {
        ml_step("ping-pong", "%lld round trips, %s", cfg->trips, names[i]);
        pingpong(hows[i], add_row(t->pingpong, &t->npingpong, names[i], NULL));
    }
}

/* ---- the table ------------------------------------------------------------ */

static void table(const char *title, const struct ch_row *rows, int n, bool bulk_rows)
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
        const struct ch_row *r = &rows[i];
        if (r->secs <= 0) {
            ml_show("  %-30s %12s %14s %10s %9s  %s", r->name, "-", "-", "-", "-",
                    r->note ? r->note : "");
            continue;
        }
        double per = r->secs / (double)r->msgs, rate = (double)r->msgs / r->secs;
        char thr[32], tm[32];
        if (bulk_rows)
            snprintf(thr, sizeof thr, "%.3g", r->bytes / r->secs / (1 << 30));
        else
            snprintf(thr, sizeof thr, "%.0f", rate);
        if (per < 1e-6)
            snprintf(tm, sizeof tm, "%.0f ns", per * 1e9);
        else if (per < 1e-3)
            snprintf(tm, sizeof tm, "%.2f us", per * 1e6);
        else
            snprintf(tm, sizeof tm, "%.2f ms", per * 1e3);
        ml_show("  %-30s %12s %14s %10.3f %8.2fx%s%s", r->name, thr, tm, r->calls,
                rate / best, r->note ? "  " : "", r->note ? r->note : "");
    }
}

void ch_print(const struct ch_table *t)
{
    if (t->nbulk > 0)
        table("moving the stream (each row's checksum matched):", t->bulk, t->nbulk, true);
    if (t->npingpong > 0)
        table("ping-pong, one word there and back:", t->pingpong, t->npingpong, false);
}
