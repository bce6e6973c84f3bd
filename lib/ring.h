/* ring.h — a byte ring in a shared memory object between two processes:
 * the second half of lesson 12 (12-channels).
 *
 * The producer copies bytes in at the head, the consumer takes them at the
 * tail; the counters only grow, and a position is the counter modulo the
 * ring's size.  A side that must wait spins a bounded while, then sleeps in
 * the futex system call, with a timeout after which it looks at its peer.
 * Win32: the same atomics in a view of a section; SetEvent and
 * WaitForSingleObject where this uses the futex (demos/win32/ring.c).
 */
#ifndef MMAPLAB_RING_H
#define MMAPLAB_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "checksum.h"

#define RING_NAP_MS      100   /* a futex wait's timeout: then look at the peer */
#define RING_SPIN_ONLY_S 1.0   /* how long a spin-only wait may last */

/* Where one waiter sleeps: a futex word in the shared object. */
struct ring_side {
    _Atomic uint32_t seq;        /* the futex word: bumped at every publish */
    _Atomic uint32_t sleeping;   /* the waiter is (about to be) in FUTEX_WAIT */
    _Atomic uint64_t wake_at;    /* ... and wants waking once the counter is there */
};

/* The counters, at the start of the shared object; each on a cache line of
 * its own, so that the two sides do not fight over one. */
struct ring_page {
    alignas(64) _Atomic uint64_t head;   /* bytes the producer has published */
    alignas(64) _Atomic uint64_t tail;   /* bytes the consumer has taken */
    alignas(64) struct ring_side data;   /* the consumer waits for data here */
    alignas(64) struct ring_side space;  /* the producer waits for room here */
};

/* One process's view of a ring. */
struct ring {
    struct ring_page *page;
    _Atomic uint32_t *stop;      /* a shared word: one side gave up, the other stops too */
    unsigned char *buf;          /* the ring's bytes, in the same object */
    uint64_t size;
    uint64_t need;               /* bytes the waiter waits for */
    uint64_t end;                /* the stream's length: the consumer's last wake */
};

/* The other process, as a wait looks at it. */
struct ring_peer {
    pid_t pid;                   /* the child (in the parent) or the parent */
    bool is_child;               /* this process is the child */
    int status;                  /* the child's wait status once reaped, else -1 */
};
extern struct ring_peer ring_peer;
extern long ring_calls;          /* system calls this process made in a measure */

enum ring_how { RING_SPIN_ONLY, RING_SPIN_FUTEX, RING_FUTEX_ONLY };
enum ring_waited { RING_READY, RING_PEER_GONE, RING_STOPPED, RING_GAVE_UP };

/* The producer's put and the consumer's get; spin: nanoseconds a wait may
 * spin before it sleeps (0: straight to the futex). */
enum ring_waited ring_put(struct ring *r, const unsigned char *p, uint64_t n, int spin);
enum ring_waited ring_get(struct ring *r, struct sum *s, uint64_t n, int spin);

/* The wait and the wake under them, for other shared words (a ping-pong):
 * wait until ready(arg) or *stop; publish after a store that brought a counter to now. */
enum ring_waited ring_await(_Atomic uint32_t *stop, struct ring_side *s, bool (*ready)(void *),
                            void *arg, enum ring_how how, int spin, uint64_t wake_at);
void ring_publish(struct ring_side *s, uint64_t now);

int64_t ring_now_ns(void);       /* CLOCK_MONOTONIC, as the waits time themselves */

#endif
