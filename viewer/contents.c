/* contents.c — the bytes of the object, read without changing it.
 *
 * Only pages that are in memory are read, and reading them brings nothing
 * else in.  A tmpfs hole is known to read as zeros and is not read at all (a
 * read fault there would allocate a page — and show it); a page that is
 * swapped out or on disk is left where it is, and says so.
 *
 * The reader (read_run) is the only way to the bytes, for the selected
 * page, the change marks and the search alike; the tour reads through it
 * too, since it samples with this model.
 *
 * The selected page is compared with its last read to mark changed bytes;
 * every page in memory is hashed now and then (a budget per tick) to mark
 * pages whose contents changed on the page map.
 */
#include "contents.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_PAGES 256

/* What became of a page: read (its bytes in the buffer), a hole given as
 * zeros, planned not to be read, out of memory at the moment of reading
 * (not read), past the end of an object that shrank meanwhile, or a read
 * that failed. */
enum { GOT_READ, GOT_ZEROS, GOT_DONT, GOT_LEFT, GOT_GONE, GOT_FAIL };

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

void page_plan(const struct contents_io *m, size_t a, size_t b, uint8_t *acc)
{
    uint8_t st[CHUNK_PAGES], alloc[CHUNK_PAGES];

    for (; a < b; ) {
        size_t e = b - a > CHUNK_PAGES ? a + CHUNK_PAGES : b;
        bool known = res_range(&m->res, a, e, st) == 0;
        enum mv_res_source src = res_source(&m->res);
        /* Without swap a tmpfs page not in memory can only be a hole; with
         * swap, SEEK_DATA tells a hole from a page swapped out. */
        bool tmpfs_mincore = src == MV_RES_MINCORE && m->res.s->obj.on_tmpfs &&
                             !m->res.s->res.lie_seen;
        /* SEEK_DATA says allocated, not resident: with swap, an allocated
         * page may be swapped out, and reading it would swap it in. */
        bool by_alloc = src == MV_RES_SEEK_DATA || m->res.s->res.lie_seen;
        bool have_alloc = tmpfs_mincore && m->swap &&
                          res_allocated(&m->res, a, e, alloc) == 0;
        for (size_t i = 0; i < e - a; i++) {
            if (!known || st[i] == MV_PAGE_UNKNOWN)
                acc[i] = PAGE_DONT;
            else if (st[i] == MV_PAGE_IN)
                acc[i] = by_alloc && m->swap ? PAGE_DONT : PAGE_READ;
            else if (by_alloc)
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

const char *page_dont_why(const struct contents_io *m)
{
    if (m->res.fd < 0)
        return "not read: the object cannot be opened for reading";
    switch (res_source(&m->res)) {
    case MV_RES_MINCORE:
        return m->res.s->obj.on_tmpfs
            ? "not read: swapped out, and reading would bring it back"
            : "not read: not in memory, and reading would bring it in "
              "(from disk, or as a page of zeros for a hole)";
    case MV_RES_SEEK_DATA:
        return "not read: it may be swapped out (mincore would not tell this "
               "process), and reading would bring it back";
    case MV_RES_UNKNOWN:
        return "not read: residency unknown, and reading could load it from disk";
    default:
        return "not read";
    }
}

/* ---- the reader ------------------------------------------------------- */

/* A SIGBUS while copying from the reader's own mapping means the object
 * shrank under it: the copy stops there.  Any other SIGBUS (another
 * thread's, or one sent) goes to the handler that was there before. */
static _Thread_local sigjmp_buf *t_catch;
static struct sigaction g_prev_bus;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)si, (void)ctx;
    if (t_catch != NULL)
        siglongjmp(*t_catch, 1);
    sigaction(SIGBUS, &g_prev_bus, NULL);
    raise(sig);
}

/* Pages [0, n) of a run starting at byte off, from a page cache that reads
 * ahead (a file on disk).  A read(2) of pages in memory can still start a
 * readahead — the kernel marks a page of each window it reads, and a read
 * that reaches the mark loads the next window, up to megabytes — and
 * neither POSIX_FADV_RANDOM nor RWF_NOWAIT stops that (RWF_NOWAIT even
 * fills the page cache for a hole).  A fault on a mapping with MADV_RANDOM
 * reads no window at all: only the page faulted, and that page is in
 * memory, as mincore on the same mapping says just before each copy.
 *
 * What this guarantees: nothing but the copied page is ever brought in,
 * and that page only when it is evicted in the moment between its mincore
 * and its copy — then exactly that one page comes back.  The window is a
 * system call long; no interface copies a page only if it is cached. */
static int read_mapped(const struct contents_io *m, off_t off, size_t n,
                       unsigned char *buf, uint8_t *got, size_t *len)
{
    size_t psz = (size_t)m->res.s->page_size;
    size_t maplen = (n - 1) * psz + len[n - 1];
    sigjmp_buf env;
    volatile size_t k = 0;

    if (res_source(&m->res) != MV_RES_MINCORE) {
        /* mincore would lie about this file: nothing can be read. */
        memset(got, GOT_DONT, n);
        return 0;
    }
    if (maplen == 0) {
        memset(got, GOT_GONE, n);
        return 0;
    }
    unsigned char *p = mmap(NULL, maplen, PROT_READ, MAP_SHARED, m->res.fd, off);
    if (p == MAP_FAILED)
        return errno;
    if (madvise(p, maplen, MADV_RANDOM) == -1) {
        int err = errno;
        munmap(p, maplen);
        return err;
    }
    struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &g_prev_bus);
    if (sigsetjmp(env, 1) == 0) {
        t_catch = &env;
        for (; k < n; k++) {
            unsigned char in = 0;
            if (len[k] == 0) {
                got[k] = GOT_GONE;
            } else if (mincore(p + k * psz, psz, &in) == -1 || !(in & 1)) {
                got[k] = GOT_LEFT;
            } else {
                memcpy(buf + k * psz, p + k * psz, len[k]);
                got[k] = GOT_READ;
            }
        }
    } else {
        for (; k < n; k++)            /* it shrank: the rest is past its end */
            got[k] = GOT_GONE;
    }
    t_catch = NULL;
    sigaction(SIGBUS, &g_prev_bus, NULL);
    munmap(p, maplen);
    return 0;
}

/* Read pages [0, n) of a run (all planned PAGE_READ) starting at byte off
 * into buf, page k at buf + k * page_size; len[k] is how much of page k is
 * the object's, shortened when it shrank meanwhile; got[k] what became of
 * it.  Returns 0, or an errno when the run could not be read at all. */
static int read_run(const struct contents_io *m, off_t off, size_t n,
                    unsigned char *buf, uint8_t *got, size_t *len)
{
    size_t psz = (size_t)m->res.s->page_size;

    if (!m->res.s->obj.on_tmpfs)
        return read_mapped(m, off, n, buf, got, len);
    /* tmpfs reads no window ahead, and a read(2) of a hole allocates
     * nothing (a read fault on a mapping would).  The plan looked just
     * before: a page in memory then is read.  Only with swap could it be
     * swapped out in between, and the read bring it back. */
    size_t want = (n - 1) * psz + len[n - 1];
    ssize_t r = want ? pread(m->res.fd, buf, want, off) : 0;
    if (r < 0)
        return errno;
    for (size_t k = 0; k < n; k++) {
        size_t at = k * psz;
        if (at >= (size_t)r || len[k] == 0) {
            got[k] = GOT_GONE;
            len[k] = 0;
        } else {
            got[k] = GOT_READ;
            if (len[k] > (size_t)r - at)
                len[k] = (size_t)r - at;
        }
    }
    return 0;
}

/* Pages [a, b) (at most CHUNK_PAGES) as they are now: planned, then read
 * where they may be, page i at buf + (i - a) * page_size (zeros for a
 * hole).  got[i - a] says what became of page i and len[i - a] how many of
 * its bytes are the object's.  Returns 0, or the errno of a read that
 * failed (its pages say GOT_FAIL). */
static int fetch(const struct contents_io *m, size_t a, size_t b, unsigned char *buf,
                 uint8_t *got, size_t *len)
{
    uint8_t acc[CHUNK_PAGES];
    size_t psz = (size_t)m->res.s->page_size;
    off_t size = m->res.s->obj.size;
    int err = 0;

    page_plan(m, a, b, acc);
    for (size_t i = a; i < b; i++) {
        off_t off = (off_t)i * (off_t)psz;
        size_t k = i - a;
        len[k] = off >= size ? 0 : size - off < (off_t)psz ? (size_t)(size - off) : psz;
        got[k] = acc[k] == PAGE_READ ? GOT_READ : acc[k] == PAGE_ZEROS ? GOT_ZEROS : GOT_DONT;
        if (got[k] == GOT_ZEROS)
            memset(buf + k * psz, 0, len[k]);
    }
    for (size_t i = 0; i < b - a; ) {
        if (got[i] != GOT_READ) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < b - a && got[j] == GOT_READ)
            j++;
        int e = read_run(m, (off_t)(a + i) * (off_t)psz, j - i, buf + i * psz,
                         got + i, len + i);
        if (e != 0) {
            memset(got + i, GOT_FAIL, j - i);
            err = e;
        }
        i = j;
    }
    return err;
}

/* ---- the part's own state ----------------------------------------------- */

void contents_resize(const struct contents_io *m, size_t old, size_t npages)
{
    struct contents_part *c = m->part;

    /* One sample has nothing to compare with: no hashes. */
    if (!m->single && (npages != old || c->hash == NULL)) {
        c->hash = mv_grow(c->hash, npages, old, sizeof *c->hash);
        c->hashed = mv_grow(c->hashed, npages, old, 1);
    }
    if (c->hash_cursor >= npages)
        c->hash_cursor = 0;
}

void contents_forget(const struct contents_io *m)
{
    struct mv_page *pg = &m->res.s->page;

    m->part->prev_valid = false;
    m->part->hash_cursor = 0;
    pg->valid = false;
    pg->hole = false;
    pg->len = 0;
    pg->nchanged = 0;
    pg->note[0] = '\0';
}

void contents_free(struct contents_part *c)
{
    free(c->hash);
    free(c->hashed);
    free(c->chunk);
    free(c->prev);
    memset(c, 0, sizeof *c);
}

/* ---- the selected page, the change marks, the search ------------------ */

static void page_buffers(const struct contents_io *m)
{
    struct mv_page *pg = &m->res.s->page;
    size_t psz = (size_t)m->res.s->page_size;

    if (pg->bytes == NULL) {
        pg->bytes = xalloc(NULL, psz);
        pg->changed = xalloc(NULL, psz);
        m->part->prev = xalloc(NULL, psz);
        memset(pg->bytes, 0, psz);
        memset(pg->changed, 0, psz);
    }
}

void page_read(const struct contents_io *m)
{
    struct mv_snapshot *s = m->res.s;
    struct mv_page *pg = &s->page;
    long psz = s->page_size;
    uint8_t got;
    size_t len;

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
        m->part->prev_valid = false;
        return;
    }
    if (pg->index < 0)
        pg->index = 0;
    if ((size_t)pg->index >= s->obj.pages)
        pg->index = (long long)s->obj.pages - 1;
    pg->offset = (off_t)pg->index * psz;
    pg->len = (size_t)(s->obj.size - pg->offset < psz ? s->obj.size - pg->offset : psz);

    if (m->res.fd < 0) {
        snprintf(pg->note, sizeof pg->note, "%s", page_dont_why(m));
        m->part->prev_valid = false;
        return;
    }
    int err = fetch(m, (size_t)pg->index, (size_t)pg->index + 1, pg->bytes, &got, &len);
    uint8_t *map = (size_t)pg->index < s->res.npages ? &s->res.map[pg->index] : NULL;
    switch (got) {
    case GOT_READ:
        pg->len = len;                /* shorter when it shrank meanwhile */
        if (map != NULL)
            *map = MV_PAGE_IN;
        break;
    case GOT_ZEROS:
        pg->hole = true;
        if (map != NULL)
            *map = MV_PAGE_OUT;
        break;
    case GOT_LEFT:
        snprintf(pg->note, sizeof pg->note, "not read: it left memory just before it "
                 "was to be read, and reading would bring it back");
        if (map != NULL)
            *map = MV_PAGE_OUT;
        break;
    case GOT_GONE:
        snprintf(pg->note, sizeof pg->note, "not read: the object shrank past this "
                 "page as it was being read");
        break;
    case GOT_FAIL:
        snprintf(pg->note, sizeof pg->note, "not read: %s", strerror(err));
        break;
    default:
        snprintf(pg->note, sizeof pg->note, "%s", page_dont_why(m));
        break;
    }
    if (got != GOT_READ && got != GOT_ZEROS) {
        m->part->prev_valid = false;
        return;
    }
    memset(pg->bytes + pg->len, 0, (size_t)psz - pg->len);
    pg->valid = true;

    if (m->part->prev_valid && m->part->prev_ino == s->obj.ino &&
        m->part->prev_index == pg->index) {
        for (size_t i = 0; i < pg->len; i++) {
            pg->changed[i] = pg->bytes[i] != m->part->prev[i];
            pg->nchanged += pg->changed[i];
        }
    }
    memcpy(m->part->prev, pg->bytes, (size_t)psz);
    m->part->prev_valid = true;
    m->part->prev_ino = s->obj.ino;
    m->part->prev_index = pg->index;
}

static void chunk_buffer(const struct contents_io *m, size_t n)
{
    if (m->part->chunk_cap < n) {
        m->part->chunk = xalloc(m->part->chunk, n);
        m->part->chunk_cap = n;
    }
}

void hash_sample(const struct contents_io *m)
{
    struct mv_snapshot *s = m->res.s;
    struct mv_residency *r = &s->res;
    size_t n = r->npages, psz = (size_t)s->page_size;
    uint8_t got[CHUNK_PAGES];
    size_t len[CHUNK_PAGES];

    if (m->single || m->res.fd < 0 || n == 0 ||
        (r->source != MV_RES_MINCORE && r->source != MV_RES_SEEK_DATA)) {
        r->nchanged = 0;
        return;
    }
    chunk_buffer(m, CHUNK_PAGES * psz);
    size_t left = HASH_BUDGET_BYTES / psz;
    if (left > n)
        left = n;
    while (left > 0) {
        size_t a = m->part->hash_cursor, b = a + (left < CHUNK_PAGES ? left : CHUNK_PAGES);
        if (b > n)
            b = n;
        fetch(m, a, b, m->part->chunk, got, len);
        for (size_t k = a; k < b; k++) {
            if ((got[k - a] != GOT_READ && got[k - a] != GOT_ZEROS) || len[k - a] == 0) {
                r->changed[k] = 0;
                continue;
            }
            uint64_t h = mv_hash(m->part->chunk + (k - a) * psz, len[k - a]);
            r->changed[k] = m->part->hashed[k] && m->part->hash[k] != h;
            m->part->hash[k] = h;
            m->part->hashed[k] = 1;
        }
        left -= b - a;
        m->part->hash_cursor = b >= n ? 0 : b;
    }
    r->nchanged = 0;
    for (size_t i = 0; i < n; i++)
        r->nchanged += r->changed[i];
}

/* Look for needle in [lo, hi) (match starts), page by page, through win
 * (page_size + n bytes: the page and what is kept of the one before). */
static long long search_range(const struct contents_io *m, const unsigned char *needle,
                              size_t n, long long lo, long long hi,
                              unsigned char *win)
{
    size_t psz = (size_t)m->res.s->page_size;
    size_t first = (size_t)(lo / (long long)psz);
    size_t npages = m->res.s->obj.pages;
    uint8_t got[CHUNK_PAGES];
    size_t lens[CHUNK_PAGES];
    size_t carry = 0;                 /* bytes kept from the page before */

    for (size_t a = first; a < npages; a += CHUNK_PAGES) {
        size_t b = a + CHUNK_PAGES < npages ? a + CHUNK_PAGES : npages;
        fetch(m, a, b, m->part->chunk, got, lens);
        for (size_t i = a; i < b; i++) {
            long long off = (long long)i * (long long)psz;
            if (off - (long long)carry >= hi || off >= m->res.s->obj.size)
                return -1;
            if (got[i - a] != GOT_READ && got[i - a] != GOT_ZEROS) {
                carry = 0;
                continue;
            }
            size_t len = lens[i - a];
            memcpy(win + carry, m->part->chunk + (i - a) * psz, len);
            size_t have = carry + len;
            const unsigned char *p = win;
            while (have - (size_t)(p - win) >= n) {
                const unsigned char *hit = memmem(p, have - (size_t)(p - win),
                                                  needle, n);
                if (hit == NULL)
                    break;
                long long at = off - (long long)carry + (hit - win);
                if (at >= hi)
                    return -1;
                if (at >= lo)
                    return at;
                p = hit + 1;
            }
            carry = n - 1 < have ? n - 1 : have;
            memmove(win, win + have - carry, carry);
            if (len < psz)
                carry = 0;            /* the end of the object */
        }
    }
    return -1;
}

long long page_search(const struct contents_io *m, const unsigned char *needle,
                     size_t n, long long from, bool *wrapped)
{
    long long size = m->res.s->obj.size, at;

    *wrapped = false;
    if (n == 0 || m->res.fd < 0 || size == 0)
        return -1;
    if (from < 0 || from >= size)
        from = 0;
    chunk_buffer(m, CHUNK_PAGES * (size_t)m->res.s->page_size);
    unsigned char *win = xalloc(NULL, (size_t)m->res.s->page_size + n);
    at = search_range(m, needle, n, from, size, win);
    if (at < 0 && from != 0) {
        *wrapped = true;
        at = search_range(m, needle, n, 0, from, win);
    }
    free(win);
    return at;
}
