/* contents.c — the bytes of the object, read without changing it.
 *
 * Only pread, never a mapping: a mapping can shrink under the reader and
 * kill it with SIGBUS.  And only pages that reading cannot change: a page in
 * memory is read; a tmpfs hole is known to read as zeros and is not read at
 * all (a read fault there would allocate a page — and show it); a page that
 * is swapped out or on disk is left where it is.
 *
 * The selected page is compared with its last read to mark changed bytes;
 * every page in memory is hashed now and then (a budget per tick) to mark
 * pages whose contents changed on the page map.
 */
#include "model_parts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_PAGES 256

uint64_t mv_hash(const unsigned char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ n;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001B3u;
    return h ^ h >> 31;
}

static void *xalloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        perror("mmapview: out of memory");
        exit(1);
    }
    return q;
}

void page_plan(struct mv_model *m, size_t a, size_t b, uint8_t *acc)
{
    uint8_t st[CHUNK_PAGES], alloc[CHUNK_PAGES];

    for (; a < b; ) {
        size_t e = b - a > CHUNK_PAGES ? a + CHUNK_PAGES : b;
        bool known = res_range(m, a, e, st) == 0;
        enum mv_res_source src = res_source(m);
        /* Without swap a tmpfs page not in memory can only be a hole; with
         * swap, SEEK_DATA tells a hole from a page swapped out. */
        bool tmpfs_mincore = src == MV_RES_MINCORE && m->s.obj.on_tmpfs &&
                             !m->s.res.lie_seen;
        bool have_alloc = tmpfs_mincore && m->swap &&
                          res_allocated(m, a, e, alloc) == 0;
        for (size_t i = 0; i < e - a; i++) {
            if (!known || st[i] == MV_PAGE_UNKNOWN)
                acc[i] = PAGE_DONT;
            else if (st[i] == MV_PAGE_IN)
                acc[i] = PAGE_READ;
            else if (src == MV_RES_SEEK_DATA || m->s.res.lie_seen)
                acc[i] = PAGE_ZEROS;          /* not allocated: a hole */
            else if (tmpfs_mincore && (!m->swap || (have_alloc && alloc[i] == MV_PAGE_OUT)))
                acc[i] = PAGE_ZEROS;
            else
                acc[i] = PAGE_DONT;           /* swapped out, or on disk */
        }
        acc += e - a;
        a = e;
    }
}

const char *page_dont_why(const struct mv_model *m)
{
    if (m->fd < 0)
        return "not read: the object cannot be opened for reading";
    switch (res_source(m)) {
    case MV_RES_MINCORE:
        return m->s.obj.on_tmpfs
            ? "not read: swapped out, and reading would bring it back"
            : "not read: not in memory, and reading would load it from disk";
    case MV_RES_UNKNOWN:
        return "not read: residency unknown, and reading could load it from disk";
    default:
        return "not read";
    }
}

static void page_buffers(struct mv_model *m)
{
    struct mv_page *pg = &m->s.page;
    size_t psz = (size_t)m->s.page_size;

    if (pg->bytes == NULL) {
        pg->bytes = xalloc(NULL, psz);
        pg->changed = xalloc(NULL, psz);
        m->prev = xalloc(NULL, psz);
        memset(pg->bytes, 0, psz);
        memset(pg->changed, 0, psz);
    }
}

void page_read(struct mv_model *m)
{
    struct mv_snapshot *s = &m->s;
    struct mv_page *pg = &s->page;
    long psz = s->page_size;
    uint8_t acc;

    page_buffers(m);
    pg->valid = false;
    pg->hole = false;
    pg->nchanged = 0;
    pg->note[0] = '\0';
    memset(pg->changed, 0, (size_t)psz);
    if (!s->obj.tracked || s->obj.pages == 0) {
        pg->len = 0;
        pg->offset = 0;
        if (s->obj.tracked)
            snprintf(pg->note, sizeof pg->note, "the object is empty: no pages");
        m->prev_valid = false;
        return;
    }
    if (pg->index < 0)
        pg->index = 0;
    if ((size_t)pg->index >= s->obj.pages)
        pg->index = (long long)s->obj.pages - 1;
    pg->offset = (off_t)pg->index * psz;
    pg->len = (size_t)(s->obj.size - pg->offset < psz ? s->obj.size - pg->offset : psz);

    if (m->fd < 0) {
        snprintf(pg->note, sizeof pg->note, "%s", page_dont_why(m));
        m->prev_valid = false;
        return;
    }
    page_plan(m, (size_t)pg->index, (size_t)pg->index + 1, &acc);
    if (acc == PAGE_READ) {
        ssize_t r = pread(m->fd, pg->bytes, pg->len, pg->offset);
        if (r < 0) {
            snprintf(pg->note, sizeof pg->note, "pread: %s", strerror(errno));
            m->prev_valid = false;
            return;
        }
        pg->len = (size_t)r;          /* shorter when it shrank meanwhile */
        if ((size_t)pg->index < s->res.npages)
            s->res.map[pg->index] = MV_PAGE_IN;
    } else if (acc == PAGE_ZEROS) {
        memset(pg->bytes, 0, pg->len);
        pg->hole = true;
        if ((size_t)pg->index < s->res.npages)
            s->res.map[pg->index] = MV_PAGE_OUT;
    } else {
        snprintf(pg->note, sizeof pg->note, "%s", page_dont_why(m));
        m->prev_valid = false;
        return;
    }
    memset(pg->bytes + pg->len, 0, (size_t)psz - pg->len);
    pg->valid = true;

    if (m->prev_valid && m->prev_ino == s->obj.ino &&
        m->prev_index == pg->index) {
        for (size_t i = 0; i < pg->len; i++) {
            pg->changed[i] = pg->bytes[i] != m->prev[i];
            pg->nchanged += pg->changed[i];
        }
    }
    memcpy(m->prev, pg->bytes, (size_t)psz);
    m->prev_valid = true;
    m->prev_ino = s->obj.ino;
    m->prev_index = pg->index;
}

static void chunk_buffer(struct mv_model *m, size_t n)
{
    if (m->chunk_cap < n) {
        m->chunk = xalloc(m->chunk, n);
        m->chunk_cap = n;
    }
}

void hash_sample(struct mv_model *m)
{
    struct mv_snapshot *s = &m->s;
    struct mv_residency *r = &s->res;
    size_t n = r->npages, psz = (size_t)s->page_size;
    uint8_t acc[CHUNK_PAGES];

    if (m->single || m->fd < 0 || n == 0 ||
        (r->source != MV_RES_MINCORE && r->source != MV_RES_SEEK_DATA)) {
        r->nchanged = 0;
        return;
    }
    chunk_buffer(m, CHUNK_PAGES * psz);
    size_t left = HASH_BUDGET_BYTES / psz;
    if (left > n)
        left = n;
    while (left > 0) {
        size_t a = m->hash_cursor, b = a + (left < CHUNK_PAGES ? left : CHUNK_PAGES);
        if (b > n)
            b = n;
        page_plan(m, a, b, acc);
        for (size_t i = a; i < b; ) {
            if (acc[i - a] == PAGE_DONT) {
                r->changed[i++] = 0;
                continue;
            }
            /* One pread for a run of pages in memory. */
            size_t j = i;
            while (j < b && acc[j - a] == acc[i - a])
                j++;
            off_t off = (off_t)i * (off_t)psz;
            size_t want = (j - i) * psz;
            if (off + (off_t)want > s->obj.size)
                want = s->obj.size > off ? (size_t)(s->obj.size - off) : 0;
            ssize_t got = 0;
            if (acc[i - a] == PAGE_READ) {
                got = pread(m->fd, m->chunk, want, off);
                if (got < 0)
                    got = 0;
            } else {
                memset(m->chunk, 0, want);
                got = (ssize_t)want;
            }
            for (size_t k = i; k < j; k++) {
                size_t at = (k - i) * psz;
                if (at >= (size_t)got) {
                    r->changed[k] = 0;
                    continue;
                }
                size_t len = (size_t)got - at < psz ? (size_t)got - at : psz;
                uint64_t h = mv_hash(m->chunk + at, len);
                r->changed[k] = m->hashed[k] && m->hash[k] != h;
                m->hash[k] = h;
                m->hashed[k] = 1;
            }
            i = j;
        }
        left -= b - a;
        m->hash_cursor = b >= n ? 0 : b;
    }
    r->nchanged = 0;
    for (size_t i = 0; i < n; i++)
        r->nchanged += r->changed[i];
}

/* Look for needle in [lo, hi) (match starts), page by page. */
static long long search_range(struct mv_model *m, const unsigned char *needle,
                              size_t n, long long lo, long long hi)
{
    size_t psz = (size_t)m->s.page_size;
    size_t first = (size_t)(lo / (long long)psz);
    size_t npages = m->s.obj.pages;
    uint8_t acc[CHUNK_PAGES];
    size_t carry = 0;                 /* bytes kept from the page before */

    chunk_buffer(m, psz + n);
    for (size_t a = first; a < npages; a += CHUNK_PAGES) {
        size_t b = a + CHUNK_PAGES < npages ? a + CHUNK_PAGES : npages;
        page_plan(m, a, b, acc);
        for (size_t i = a; i < b; i++) {
            long long off = (long long)i * (long long)psz;
            if (off - (long long)carry >= hi || off >= m->s.obj.size)
                return -1;
            if (acc[i - a] == PAGE_DONT) {
                carry = 0;
                continue;
            }
            size_t len = psz;
            if (off + (long long)len > m->s.obj.size)
                len = (size_t)(m->s.obj.size - off);
            if (acc[i - a] == PAGE_READ) {
                ssize_t got = pread(m->fd, m->chunk + carry, len, off);
                len = got > 0 ? (size_t)got : 0;
            } else {
                memset(m->chunk + carry, 0, len);
            }
            size_t have = carry + len;
            const unsigned char *base = m->chunk, *p = base;
            while (have - (size_t)(p - base) >= n) {
                const unsigned char *hit = memmem(p, have - (size_t)(p - base),
                                                  needle, n);
                if (hit == NULL)
                    break;
                long long at = off - (long long)carry + (hit - base);
                if (at >= hi)
                    return -1;
                if (at >= lo)
                    return at;
                p = hit + 1;
            }
            carry = n - 1 < have ? n - 1 : have;
            memmove(m->chunk, m->chunk + have - carry, carry);
            if (len < psz)
                carry = 0;            /* the end of the object */
        }
    }
    return -1;
}

long long mv_model_search(struct mv_model *m, const unsigned char *needle,
                          size_t n, long long from, bool *wrapped)
{
    long long size = m->s.obj.size, at;

    *wrapped = false;
    if (n == 0 || m->fd < 0 || size == 0)
        return -1;
    if (from < 0 || from >= size)
        from = 0;
    at = search_range(m, needle, n, from, size);
    if (at >= 0 || from == 0)
        return at;
    *wrapped = true;
    return search_range(m, needle, n, 0, from);
}
