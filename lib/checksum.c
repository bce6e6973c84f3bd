/* checksum.c — see checksum.h. */
#include "checksum.h"

#include <string.h>

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

void sum_add(struct sum *s, const void *data, size_t n)
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

void sum_end(struct sum *s, uint64_t out[2])
{
    memset(s->part + s->npart, 0, sizeof s->part - s->npart);
    if (s->npart)
        sum_blocks(s, s->part, 1);
    out[0] = out[1] = 0;
    for (int l = 0; l < SUM_LANES; l++)
        out[0] = out[0] * 31 + s->a[l], out[1] = out[1] * 31 + s->b[l];
}
