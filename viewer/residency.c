/* residency.c — which pages of the object are in memory, told truthfully.
 *
 * mincore needs a mapping: the model maps the range PROT_NONE, asks, and
 * unmaps at once, so it never touches a page and is never a lasting mapper.
 *
 * The kernel lies to mincore about a file the caller neither owns nor could
 * open for writing: it reports every page resident, with no error
 * (mm/mincore.c, can_do_mincore).  So the model decides first whether it
 * would be told the truth (owner, CAP_FOWNER, or write permission, which is
 * the kernel's own test), and catches the lie anyway when mincore says a
 * whole range is resident while SEEK_HOLE finds a hole in it.  When it
 * would be lied to, a tmpfs object is read with SEEK_DATA/SEEK_HOLE instead
 * (exact with read access, but it counts swapped-out pages too, hence
 * "allocated"), and a file on disk is "unknown".
 */
#include "residency.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAP_FOWNER_BIT 3
#define MINCORE_STEP 8192         /* pages: about 0.7 ms of mincore */

/* Divided before rounding up: size + page_size - 1 overflows off_t for an
 * object within a page of the largest offset, which anyone may truncate to. */
size_t mv_count_pages(off_t size, long page_size)
{
    if (size <= 0 || page_size <= 0)
        return 0;
    unsigned long long n = (unsigned long long)(size / page_size) +
                           (size % page_size != 0);
    return n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

bool res_trusted(int fd, const struct stat *st)
{
    char p[64];

    if (st->st_uid == geteuid() || ml_has_cap(CAP_FOWNER_BIT))
        return true;
    /* Through /proc/self/fd the test works for an unlinked object too. */
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
}

/* p resized from old to n entries of each bytes, the new ones zero.  From
 * nothing it is calloc: fresh pages are zero already, and a 1 GiB object's
 * arrays are not worth touching page by page. */
void *mv_grow(void *p, size_t n, size_t old, size_t each)
{
    unsigned char *q;

    if (p == NULL || old == 0) {
        free(p);
        q = calloc(n ? n : 1, each);
    } else {
        q = realloc(p, (n ? n : 1) * each);
        if (q != NULL && n > old)
            memset(q + old * each, 0, (n - old) * each);
    }
    if (q == NULL) {
        perror("mmapview: out of memory");
        exit(1);
    }
    return q;
}

void res_resize(const struct res_io *m, size_t npages)
{
    struct mv_residency *r = &m->s->res;
    size_t old = r->npages;

    if (npages == old && r->map != NULL)
        return;
    r->map = mv_grow(r->map, npages, old, 1);
    r->changed = mv_grow(r->changed, npages, old, 1);
    if (npages > old)
        memset(r->map + old, MV_PAGE_UNKNOWN, npages - old);
    r->npages = npages;
    if (m->part->cursor >= npages)
        m->part->cursor = 0;
}

void res_forget(const struct res_io *m)
{
    res_resize(m, 0);
    m->s->res.source = MV_RES_NONE;
    m->s->res.lie_seen = false;
    m->part->cursor = m->part->done = 0;
}

enum mv_res_source res_source(const struct res_io *m)
{
    if (m->fd < 0)
        return m->s->obj.tracked ? MV_RES_UNKNOWN : MV_RES_NONE;
    if (m->trusted && !m->s->res.lie_seen)
        return MV_RES_MINCORE;
    return m->s->obj.on_tmpfs ? MV_RES_SEEK_DATA : MV_RES_UNKNOWN;
}

int res_allocated(const struct res_io *m, size_t a, size_t b, uint8_t *out)
{
    long psz = m->s->page_size;
    off_t off = (off_t)a * psz;
    off_t end = (off_t)b * psz;

    if (end > m->s->obj.size)
        end = m->s->obj.size;
    memset(out, MV_PAGE_OUT, b - a);
    while (off < end) {
        off_t d = lseek(m->fd, off, SEEK_DATA);
        if (d == -1)
            return errno == ENXIO ? 0 : -1;   /* ENXIO: only holes remain */
        if (d >= end)
            break;
        off_t h = lseek(m->fd, d, SEEK_HOLE);
        if (h == -1 || h > end)
            h = end;
        size_t first = (size_t)(d / psz), last = (size_t)((h + psz - 1) / psz);
        for (size_t i = first; i < last && i < b; i++)
            out[i - a] = MV_PAGE_IN;
        if (h <= d)
            break;
        off = h;
    }
    return 0;
}

/* mincore called every page of [a, b) resident: is there a hole among them
 * all the same?  A tmpfs hole has no page, so it cannot be resident, and a
 * hole would mean the kernel lied.  But the object may have changed since
 * the sample's fstat and since mincore looked (truncated, written, grown
 * again): the size that bounds the look is the one now, it must be the same
 * after the look, and the hole's page must still be a hole that mincore
 * calls resident.  A lie is believed for good (the source switches to
 * SEEK_DATA until the object is replaced), so a change of the object in
 * the middle must never pass for one.  p maps [a, b). */
static bool lie_confirmed(const struct res_io *m, char *p, size_t a, size_t b)
{
    long psz = m->s->page_size;
    struct stat before, after;
    unsigned char v = 0;

    if (fstat(m->fd, &before) == -1)
        return false;
    off_t end = (off_t)b * psz;
    if (end > before.st_size)
        end = before.st_size;
    off_t h = lseek(m->fd, (off_t)a * psz, SEEK_HOLE);
    if (h < 0 || h >= end)
        return false;                 /* no hole where the object is now */
    size_t k = (size_t)(h / psz);
    if (k < a || k >= b || mincore(p + (k - a) * (size_t)psz, (size_t)psz, &v) == -1 ||
        !(v & 1))
        return false;                 /* not resident (any more) */
    off_t d = lseek(m->fd, (off_t)k * psz, SEEK_DATA);
    bool hole = (d == -1 && errno == ENXIO) || d >= (off_t)(k + 1) * psz;
    return hole && fstat(m->fd, &after) == 0 && after.st_size == before.st_size &&
           after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
           after.st_mtim.tv_nsec == before.st_mtim.tv_nsec;
}

static int by_mincore(const struct res_io *m, size_t a, size_t b, uint8_t *out)
{
    long psz = m->s->page_size;
    size_t len = (b - a) * (size_t)psz;
    bool all_in = true;

    void *p = mmap(NULL, len, PROT_NONE, MAP_SHARED, m->fd, (off_t)a * psz);
    if (p == MAP_FAILED)
        return -1;
    /* In pieces: one mincore over 1 GiB is 20 ms in the kernel without a
     * return to user space, and a thread waiting for this CPU (the /proc
     * scan under --once) waits all that time. */
    int r = 0;
    for (size_t done = 0; done < b - a && r == 0; done += MINCORE_STEP) {
        size_t n = b - a - done < MINCORE_STEP ? b - a - done : MINCORE_STEP;
        r = mincore((char *)p + done * (size_t)psz, n * (size_t)psz, out + done);
    }
    int err = errno;
    if (r == 0) {
        for (size_t i = 0; i < b - a; i++) {
            out[i] = out[i] & 1 ? MV_PAGE_IN : MV_PAGE_OUT;
            all_in = all_in && out[i] == MV_PAGE_IN;
        }
        if (all_in && m->s->obj.on_tmpfs && lie_confirmed(m, p, a, b))
            m->s->res.lie_seen = true;
    }
    munmap(p, len);
    if (r == -1) {
        errno = err;
        return -1;
    }
    return m->s->res.lie_seen ? res_allocated(m, a, b, out) : 0;
}

int res_range(const struct res_io *m, size_t a, size_t b, uint8_t *out)
{
    if (b <= a)
        return 0;
    switch (res_source(m)) {
    case MV_RES_MINCORE:
        return by_mincore(m, a, b, out);
    case MV_RES_SEEK_DATA:
        return res_allocated(m, a, b, out);
    default:
        memset(out, MV_PAGE_UNKNOWN, b - a);
        return -1;
    }
}

void res_sample(const struct res_io *m, bool full)
{
    struct mv_residency *r = &m->s->res;
    size_t n = r->npages;

    r->source = res_source(m);
    r->too_large = m->s->obj.pages > MV_MAX_PAGES;
    if (r->too_large)
        r->source = MV_RES_UNKNOWN;
    if (r->source == MV_RES_NONE || r->source == MV_RES_UNKNOWN || n == 0) {
        memset(r->map, MV_PAGE_UNKNOWN, n);
        r->count = 0;
        r->known = 0;
        r->complete = r->source != MV_RES_UNKNOWN;
        return;
    }
    size_t budget = r->source == MV_RES_MINCORE ? RES_BUDGET_MINCORE
                                                 : RES_BUDGET_SEEK;
    if (n <= budget) {
        m->part->cursor = 0;
        budget = n;
    } else if (full) {
        m->part->cursor = 0;
        budget = n < RES_FULL_MAX ? n : RES_FULL_MAX;
    }
    /* One transient mapping and one mincore for the whole range: the
     * kernel walks the vector in pieces itself. */
    size_t a = m->part->cursor, left = budget;
    while (left > 0) {
        size_t b = a + left < n ? a + left : n;
        if (res_range(m, a, b, r->map + a) == -1) {
            memset(r->map + a, MV_PAGE_UNKNOWN, b - a);
            if (r->source != MV_RES_UNKNOWN) {
                snprintf(m->s->obj.note, sizeof m->s->obj.note,
                         "residency: %s", strerror(errno));
            }
        }
        enum mv_res_source now = res_source(m);
        if (now != r->source) {
            /* A lie was caught: nothing mincore said before stands. */
            memset(r->map, MV_PAGE_UNKNOWN, n);
            r->source = now;
            m->part->done = 0;
            a = 0;
            left = now == MV_RES_SEEK_DATA && n > RES_BUDGET_SEEK && !full
                 ? RES_BUDGET_SEEK : n;
            continue;
        }
        left -= b - a;
        m->part->done += b - a;
        a = b >= n ? 0 : b;
    }
    m->part->cursor = a;
    r->count = 0;
    r->known = 0;
    for (size_t i = 0; i < n; i++) {
        r->count += r->map[i] == MV_PAGE_IN;
        r->known += r->map[i] != MV_PAGE_UNKNOWN;
    }
    r->complete = m->part->done >= n;
}
