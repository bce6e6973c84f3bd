/* channels.h — the measures of 12-channels: the same stream from a parent
 * to a child through each channel (the shared ring of ring.h, pipes, a
 * socketpair), every byte checked, a ping-pong for latency, and the table
 * that puts them side by side.  12-channels makes the shared object; these
 * run in it.
 */
#ifndef MMAPLAB_CHANNELS_H
#define MMAPLAB_CHANNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ring.h"

#define CH_HDR 4096              /* the ring's bytes start a page into the object */

/* The options, as 12-channels takes them. */
struct ch_config {
    off_t chunk;                 /* bytes a message carries */
    off_t ring;                  /* the ring's size */
    off_t total;                 /* bytes sent through each channel */
    off_t big;                   /* a second ring, larger than the cache */
    long long trips;             /* ping-pong round trips per kind */
    bool no_big;                 /* no second ring */
    bool one_cpu;                /* both processes on one CPU */
    const char *only;            /* one channel, or "all" */
};

/* A row of the table. */
struct ch_row {
    char name[64];
    double bytes;                /* carried in the measure */
    double secs;                 /* < 0: not measured (gave up) */
    long long msgs;
    double calls;                /* system calls per message, both processes together */
    const char *note;
};

struct ch_table {
    struct ch_row bulk[6], pingpong[4];
    int nbulk, npingpong;
};

/* Before the object: refuse what no single option's rule can see, pin to
 * one CPU if asked, make the stream.  Exits on a usage error. */
void ch_prepare(struct ch_config *c);
bool ch_wants(const char *channel);          /* --only allows it */
size_t ch_object_size(void);                 /* the counters' page and the larger ring */
void ch_size_label(off_t n, char *out, size_t outsz);

void ch_memcpy(struct ch_table *t);          /* the ceiling, in this process */

/* In the object, mapped at base from fd under name: */
void ch_use(void *base, int fd, const char *name);
void ch_ring(struct ch_table *t);            /* the ring, then the big ring */
void ch_pipes(struct ch_table *t);           /* a pipe, then a grown one */
void ch_socketpair(struct ch_table *t);
void ch_pingpong(struct ch_table *t);        /* four kinds of round trip */

void ch_print(const struct ch_table *t);
void ch_done(void);

#endif
