/* checksum.h — a checksum of a byte stream, the same however the stream
 * was cut into messages: how 12-channels' consumers show that every byte
 * arrived.  Fletcher-like, in eight lanes of 64-bit words, so that it keeps
 * up with memcpy.
 */
#ifndef MMAPLAB_CHECKSUM_H
#define MMAPLAB_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define SUM_LANES 8

/* A sum under way: zero it to start ({ 0 }). */
struct sum {
    uint64_t a[SUM_LANES], b[SUM_LANES];
    unsigned char part[8 * SUM_LANES];   /* bytes short of a whole block */
    unsigned npart;
};

void sum_add(struct sum *s, const void *data, size_t n);
void sum_end(struct sum *s, uint64_t out[2]);

#endif
