/* ring.c — a byte ring in a shared memory object: see ring.h.
 *
 * Read in order: the futex and publish (how a side sleeps and is woken),
 * the wait (a bounded spin, then the futex with a timeout), then the put
 * and the get that use them.  Nothing here loops without a bound: every
 * way out of a wait is a result.
 */
#include "ring.h"

#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPIN_MIN 1000            /* ns: the least an adaptive spin shrinks to */

struct ring_peer ring_peer = { .status = -1 };
long ring_calls;

int64_t ring_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Tell the CPU this is a spin: it lets the other hyperthread run. */
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
    ring_calls++;
    if (ring_peer.is_child)
        return getppid() == ring_peer.pid;
    if (ring_peer.status != -1)
        return false;
    return waitpid(ring_peer.pid, &ring_peer.status, WNOHANG) == 0;
}

/* How long the waiter on a side spins now: this process's own, by side. */
static int64_t *spin_of(const struct ring_side *s)
{
    static struct { const struct ring_side *side; int64_t ns; } spins[4];
    static int64_t others;

    for (int i = 0; i < 4; i++) {
        if (spins[i].side == NULL)
            spins[i].side = s;
        if (spins[i].side == s)
            return &spins[i].ns;
    }
    return &others;
}

/* [lesson:futex] */
/* Sleep while *word is still seen, at most RING_NAP_MS: FUTEX_WAIT.  Any
 * process that maps the object can wake it (no FUTEX_PRIVATE_FLAG).
 * Win32: WaitForSingleObject(hEvent, RING_NAP_MS). */
static void futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
    struct timespec nap = { 0, RING_NAP_MS * 1000000L };
    ring_calls++;
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, &nap, NULL, 0);
}

/* Win32: SetEvent(hEvent). */
static void futex_wake(_Atomic uint32_t *word)
{
    ring_calls++;
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* After a publish that brought a counter to `now`: bump the side's word,
 * and wake its waiter only if it said it sleeps and what it waits for is
 * there.  The fence pairs with the one in ring_await(): either the waiter
 * sees what was published, or this sees it sleeping. */
void ring_publish(struct ring_side *s, uint64_t now)
{
    atomic_fetch_add_explicit(&s->seq, 1, memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&s->sleeping, memory_order_relaxed) &&
        now >= atomic_load_explicit(&s->wake_at, memory_order_relaxed))
        futex_wake(&s->seq);
}
/* [/lesson] */

/* A spin only: never sleeps, looks at the peer every 50 ms, and gives up
 * after RING_SPIN_ONLY_S seconds (on one CPU it could spin for ever). */
static enum ring_waited spin_only(_Atomic uint32_t *stop, bool (*ready)(void *), void *arg)
{
    int64_t start = ring_now_ns(), last_look = start;

    for (unsigned long i = 1;; i++) {
        if (ready(arg))
            return RING_READY;
        if (atomic_load_explicit(stop, memory_order_acquire))
            return RING_STOPPED;
        relax();
        if (i % 1024 == 0) {
            int64_t t = ring_now_ns();
            if (t - start > (int64_t)(RING_SPIN_ONLY_S * 1e9))
                return RING_GAVE_UP;
            if (t - last_look > 50000000) {
                last_look = t;
                if (!peer_alive())
                    return RING_PEER_GONE;
            }
        }
    }
}

/* Spin at most `spin` ns before a sleep.  The spin adapts: halved after one
 * that ended in a sleep (the other process was not running), doubled after
 * one that paid off. */
static bool spin_a_while(const struct ring_side *s, bool (*ready)(void *), void *arg, int spin)
{
    int64_t *now_spin = spin_of(s);
    int64_t budget = *now_spin > 0 && *now_spin <= spin ? *now_spin : spin;
    int64_t until = ring_now_ns() + budget;

    for (int i = 1;; i++) {
        if (ready(arg)) {
            *now_spin = budget * 2 < spin ? budget * 2 : spin;
            return true;
        }
        relax();
        if (i % 32 == 0 && ring_now_ns() > until)
            break;
    }
    *now_spin = budget / 2 > SPIN_MIN ? budget / 2 : SPIN_MIN;
    return false;
}

/* Wait until ready(arg): spin, then sleep on the side's futex word, waking
 * every RING_NAP_MS to look at the peer. */
enum ring_waited ring_await(_Atomic uint32_t *stop, struct ring_side *s, bool (*ready)(void *),
                            void *arg, enum ring_how how, int spin, uint64_t wake_at)
{
    if (how == RING_SPIN_ONLY)
        return spin_only(stop, ready, arg);
    if (how == RING_SPIN_FUTEX && spin > 0 && spin_a_while(s, ready, arg, spin))
        return RING_READY;
    /* [lesson:sleep] */
    for (;;) {
        uint32_t seen = atomic_load_explicit(&s->seq, memory_order_acquire);
        atomic_store_explicit(&s->wake_at, wake_at, memory_order_relaxed);
        atomic_store_explicit(&s->sleeping, 1, memory_order_relaxed);
        atomic_thread_fence(memory_order_seq_cst);
        if (ready(arg)) {
            atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
            atomic_store_explicit(&s->wake_at, 0, memory_order_relaxed);
            return RING_READY;
        }
        if (atomic_load_explicit(stop, memory_order_acquire))
            return RING_STOPPED;
        int64_t t0 = ring_now_ns();
        futex_wait(&s->seq, seen);
        atomic_store_explicit(&s->sleeping, 0, memory_order_relaxed);
        atomic_store_explicit(&s->wake_at, 0, memory_order_relaxed);
        if (ready(arg))
            return RING_READY;
        if (ring_now_ns() - t0 >= (RING_NAP_MS - 5) * 1000000LL && !peer_alive())
            return RING_PEER_GONE;
    }
    /* [/lesson] */
}

static bool has_room(void *arg)
{
    struct ring *r = arg;
    uint64_t head = atomic_load_explicit(&r->page->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&r->page->tail, memory_order_acquire);
    return r->size - (head - tail) >= r->need;
}

static bool has_data(void *arg)
{
    struct ring *r = arg;
    uint64_t head = atomic_load_explicit(&r->page->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&r->page->tail, memory_order_relaxed);
    return head - tail >= r->need;
}

/* [lesson:ring] */
/* Copy n bytes in at the head (in two parts where the ring wraps), then
 * publish them: the release store makes the bytes visible before the new
 * head is.  Win32: the same atomics; SetEvent instead of FUTEX_WAKE. */
enum ring_waited ring_put(struct ring *r, const unsigned char *p, uint64_t n, int spin)
{
    struct ring_page *pg = r->page;
    uint64_t head = atomic_load_explicit(&pg->head, memory_order_relaxed);
    /* Asleep, it is woken when half the ring is free, not at each message. */
    int64_t half = (int64_t)head - (int64_t)(r->size - n) + (int64_t)(r->size / 2);
    uint64_t wake_at = half < 0 ? 0 : half > (int64_t)head ? head : (uint64_t)half;

    r->need = n;
    enum ring_waited w = ring_await(r->stop, &pg->space, has_room, r, RING_SPIN_FUTEX, spin, wake_at);
    if (w != RING_READY)
        return w;
    uint64_t at = head % r->size, first = n < r->size - at ? n : r->size - at;
    memcpy(r->buf + at, p, first);
    memcpy(r->buf, p + first, n - first);
    atomic_store_explicit(&pg->head, head + n, memory_order_release);
    ring_publish(&pg->data, head + n);
    return RING_READY;
}

/* Wait for n bytes at the tail and check them where they lie, in the shared
 * pages, with no copy; then give the room back (release: done reading). */
enum ring_waited ring_get(struct ring *r, struct sum *s, uint64_t n, int spin)
{
    struct ring_page *pg = r->page;
    uint64_t tail = atomic_load_explicit(&pg->tail, memory_order_relaxed);
    /* Asleep, it is woken when half the ring is full (or the stream ends). */
    uint64_t more = n > r->size / 2 ? n : r->size / 2;
    uint64_t wake_at = tail + more < r->end ? tail + more : r->end;

    r->need = n;
    enum ring_waited w = ring_await(r->stop, &pg->data, has_data, r, RING_SPIN_FUTEX, spin, wake_at);
    if (w != RING_READY)
        return w;
    uint64_t at = tail % r->size, first = n < r->size - at ? n : r->size - at;
    sum_add(s, r->buf + at, first);
    sum_add(s, r->buf, n - first);
    atomic_store_explicit(&pg->tail, tail + n, memory_order_release);
    ring_publish(&pg->space, tail + n);
    return RING_READY;
}
/* [/lesson] */
