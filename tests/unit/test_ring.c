/* test_ring.c — the ring of 12-channels in one process: bytes put in come
 * out whole and in order across every wrap, with the checksum the stream
 * has however it is cut; a full ring waits, and stops when told to or when
 * its peer is gone, never for ever. */
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "checksum.h"
#include "ring.h"

static unsigned char stream[300007];

static void fill(void)
{
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < sizeof stream; i++)
        x ^= x << 13, x ^= x >> 7, x ^= x << 17, stream[i] = (unsigned char)x;
}

static void sum_of(const unsigned char *p, size_t n, size_t cut, uint64_t out[2])
{
    struct sum s = { 0 };
    for (size_t at = 0; at < n; at += cut)
        sum_add(&s, p + at, n - at < cut ? n - at : cut);
    sum_end(&s, out);
}

static void test_sum_same_however_cut(void **state)
{
    static const size_t cuts[] = { 1, 3, 63, 64, 65, 4096, 4097, 65537, sizeof stream };
    uint64_t whole[2], part[2];

    (void)state;
    fill();
    sum_of(stream, sizeof stream, sizeof stream, whole);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        sum_of(stream, sizeof stream, cuts[i], part);
        assert_int_equal(part[0], whole[0]);
        assert_int_equal(part[1], whole[1]);
    }
}

static void test_sum_sees_a_change(void **state)
{
    uint64_t a[2], b[2];

    (void)state;
    fill();
    sum_of(stream, sizeof stream, 4096, a);
    stream[123456] ^= 1;
    sum_of(stream, sizeof stream, 4096, b);
    assert_true(a[0] != b[0] || a[1] != b[1]);
    stream[123456] ^= 1;
    /* two bytes swapped: a plain sum would not see it */
    unsigned char t = stream[10];
    stream[10] = stream[11], stream[11] = t;
    sum_of(stream, sizeof stream, 4096, b);
    assert_true(a[0] != b[0] || a[1] != b[1]);
}

/* The stream through a ring of `size`, `chunk` at a time, put then got. */
static void through(uint64_t size, uint64_t chunk)
{
    struct ring_page *pg = aligned_alloc(64, sizeof *pg);
    _Atomic uint32_t stop = 0;
    unsigned char *buf = malloc(size);
    struct ring r = { pg, &stop, buf, size, 0, sizeof stream };
    struct sum s = { 0 };
    uint64_t want[2], got[2];

    assert_non_null(pg);
    assert_non_null(buf);
    memset(pg, 0, sizeof *pg);
    fill();
    for (uint64_t at = 0; at < sizeof stream; at += chunk) {
        uint64_t n = sizeof stream - at < chunk ? sizeof stream - at : chunk;
        assert_int_equal(ring_put(&r, stream + at, n, 0), RING_READY);
        assert_int_equal(ring_get(&r, &s, n, 0), RING_READY);
    }
    sum_end(&s, got);
    sum_of(stream, sizeof stream, sizeof stream, want);
    assert_int_equal(got[0], want[0]);
    assert_int_equal(got[1], want[1]);
    assert_int_equal(atomic_load(&pg->head), sizeof stream);
    assert_int_equal(atomic_load(&pg->tail), sizeof stream);
    free(buf);
    free(pg);
}

static void test_one_slot_and_wraps(void **state)
{
    (void)state;
    through(1, 1);               /* a ring of one byte: one slot */
    through(7, 1);
    through(4097, 4097);         /* one slot of an odd size */
    through(12289, 4097);        /* three slots: each message wraps in turn */
    through(65536, 10000);       /* messages that do not divide the ring */
}

/* A full ring: the producer waits, then stops when told. */
static void test_full_ring_stops_when_told(void **state)
{
    struct ring_page *pg = aligned_alloc(64, sizeof *pg);
    _Atomic uint32_t stop = 0;
    unsigned char buf[16];
    struct ring r = { pg, &stop, buf, sizeof buf, 0, 1 << 20 };

    (void)state;
    memset(pg, 0, sizeof *pg);
    fill();
    assert_int_equal(ring_put(&r, stream, 16, 0), RING_READY);
    atomic_store(&stop, 1);
    assert_int_equal(ring_put(&r, stream, 1, 0), RING_STOPPED);
    assert_int_equal(atomic_load(&pg->head), 16);
    free(pg);
}

/* A full ring whose peer is gone: the wait times out, looks, and says so. */
static void test_full_ring_notices_its_peer_gone(void **state)
{
    struct ring_page *pg = aligned_alloc(64, sizeof *pg);
    _Atomic uint32_t stop = 0;
    unsigned char buf[16];
    struct ring r = { pg, &stop, buf, sizeof buf, 0, 1 << 20 };

    (void)state;
    memset(pg, 0, sizeof *pg);
    fill();
    ring_peer.is_child = true;
    ring_peer.pid = -1;          /* no process's parent: this one's is gone */
    assert_int_equal(ring_put(&r, stream, 16, 0), RING_READY);
    int64_t t0 = ring_now_ns();
    ring_calls = 0;
    assert_int_equal(ring_put(&r, stream, 1, 0), RING_PEER_GONE);
    assert_true(ring_now_ns() - t0 >= (RING_NAP_MS - 5) * 1000000LL);
    assert_int_equal(ring_calls, 2);     /* one FUTEX_WAIT, one getppid */
    ring_peer.is_child = false;
    free(pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sum_same_however_cut),
        cmocka_unit_test(test_sum_sees_a_change),
        cmocka_unit_test(test_one_slot_and_wraps),
        cmocka_unit_test(test_full_ring_stops_when_told),
        cmocka_unit_test(test_full_ring_notices_its_peer_gone),
    };
    return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
