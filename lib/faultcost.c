/* faultcost.c — faults and time around a phase, and the table; see faultcost.h. */
#include "faultcost.h"
#include "mmaplab.h"
#include "pages.h"
#include "touch.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

size_t fc_page(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

size_t fc_check_size(off_t bytes)
{
    unsigned long long avail, total;
    size_t ps = fc_page();
    char room[128];

    if (bytes < 1) {
        ml_error("-b must be at least one byte (it is rounded up to whole pages of %zu bytes): "
                 "give, say, -b 256M", ps);
        ml_exit(ML_USAGE);
    }
    /* An object this size must fit in /dev/shm's free room, since every
     * page of it is touched; no more than that is ever asked for at once. */
    if (ml_shm_room(&avail, &total) && (unsigned long long)bytes > avail) {
        char want[32];
        ml_human_size((unsigned long long)bytes, want, sizeof want);
        ml_error("-b %s is more than /dev/shm can give now (%s): every page is touched, "
                 "so the object must fit; give a smaller -b", want,
                 ml_shm_room_words(room, sizeof room));
        ml_exit(ML_USAGE);
    }
    return ((size_t)bytes + ps - 1) / ps * ps;
}

void fc_begin(struct fc_mark *m)
{
    long major;

    clock_gettime(CLOCK_MONOTONIC, &m->t);
    ml_faults(&m->minor, &major);
}

/* Faults and milliseconds since m. */
static void since(const struct fc_mark *m, long *faults, double *ms)
{
    struct timespec t;
    long minor, major;

    ml_faults(&minor, &major);
    clock_gettime(CLOCK_MONOTONIC, &t);
    *faults = minor - m->minor;
    *ms = (double)(t.tv_sec - m->t.tv_sec) * 1e3 + (double)(t.tv_nsec - m->t.tv_nsec) / 1e6;
}

void fc_end(const struct fc_mark *m, struct fc_row *row, size_t n, const char *what)
{
    since(m, &row->faults, &row->ms);
    row->what = what;
    row->pages = (long)(n / fc_page());
}

void fc_show(const struct fc_row *row)
{
    ml_show("%s: %ld %s, %ld minor %s in %.1f ms", row->what, row->pages,
            ml_plural(row->pages, "page", "pages"), row->faults,
            ml_plural(row->faults, "fault", "faults"), row->ms);
}

void fc_write_each(char *p, size_t n)
{
    void *at;
    char room[128];

    if (ml_probe(p, n, &at))
        return;
    ml_error("SIGBUS at %p: the kernel could not give that page (%s); give a smaller -b, or "
             "free some of /dev/shm (mmaplab clean removes mmaplab's objects)", at,
             ml_shm_room_words(room, sizeof room));
    ml_exit(ML_FAILED);
}

void fc_read_each(const char *p, size_t n)
{
    size_t ps = fc_page();
    unsigned sum = 0;

    for (size_t off = 0; off < n; off += ps)
        sum += *(const volatile unsigned char *)(p + off);
    /* The sum keeps the loads; all the pages are zeros or the 0 ORed in. */
    if (sum != 0)
        ml_say("(the pages held %u in bytes other than zero)", sum);
}

void fc_touch_after(char *p, size_t n, struct fc_row *row)
{
    struct fc_mark m;

    fc_begin(&m);
    fc_write_each(p, n);
    since(&m, &row->after_faults, &row->after_ms);
    row->after = true;
    ml_show("then a store into each page: %ld minor %s in %.1f ms", row->after_faults,
            ml_plural(row->after_faults, "fault", "faults"), row->after_ms);
}

void fc_refresh(int fd, size_t n)
{
    ml_call("ftruncate", "(none: a section's size is fixed; a new section would be made)", "%d, 0", fd);
    ml_must(ml_result(ftruncate(fd, 0)));
    ml_call("ftruncate", "(none)", "%d, %zu", fd, n);
    ml_must(ml_result(ftruncate(fd, (off_t)n)));
}

void fc_skip(struct fc_row *row, const char *why)
{
    row->what = NULL;
    snprintf(row->why, sizeof row->why, "%s", why);
    ml_show("skipped: %s", why);
}

static const char *const names[FC_ROWS] = {
    "first touch (write), fresh object",
    "second process (write), allocated",
    "read through a new view",
    "MAP_POPULATE, inside mmap",
    "MADV_POPULATE_WRITE, inside madvise",
    "huge pages, tmpfs huge=always",
};

static void line(const struct fc_row *r, int i, double first_ms)
{
    char rate[32] = "-", vs[32] = "-";

    if (r->faults > 0 && r->ms > 0)
        snprintf(rate, sizeof rate, "%.0f", r->faults / (r->ms / 1e3));
    if (i != FC_FIRST && r->ms > 0 && first_ms > 0)
        snprintf(vs, sizeof vs, "%.2fx", first_ms / r->ms);
    ml_show("%-36s %8ld %8ld %8.1f %9.1f %10s %8s", names[i], r->pages, r->faults,
            r->faults > 0 ? (double)r->pages / (double)r->faults : 0.0, r->ms, rate, vs);
    if (r->after)
        ml_show("%-36s %8ld %8ld %8s %9.1f %10s %8s", "  then a store into each page",
                r->pages, r->after_faults, "-", r->after_ms, "-", "-");
}

/* What row i means, as measured. */
static void meaning(const struct fc_row *rows, int i)
{
    const struct fc_row *r = &rows[i], *f = &rows[FC_FIRST];
    double per = r->faults > 0 ? (double)r->pages / (double)r->faults : 0;

    switch (i) {
    case FC_FIRST:
        ml_say("first touch: %.2f faults a page, %.2f us each: a trap into the kernel, a page "
               "allocated and zeroed, put in the object and mapped", r->pages ? (double)r->faults / (double)r->pages : 0,
               r->faults ? r->ms * 1e3 / (double)r->faults : 0);
        break;
    case FC_SECOND: {
        double x = r->ms > 0 ? f->ms / r->ms : 0;
        ml_say("second process: %.2f faults a page; the pages existed, so each fault only mapped "
               "one, with nothing to allocate or zero: %.2fx the first touch's speed%s",
               r->pages ? (double)r->faults / (double)r->pages : 0, x,
               x < 1.1 ? ", so here no faster: on this machine little of a fault's time went to "
                         "the page itself" : "");
        break;
    }
    case FC_READ:
        ml_say("read: %.1f pages a fault.  %s", per, per > 1.5 ?
               "A read fault maps the neighbouring pages that are in memory too (fault-around, "
               "fault_around_bytes: 64 KiB, 16 pages, by default); a write fault maps one page, "
               "which it must mark dirty" :
               "No fault-around here: each read fault mapped one page");
        break;
    case FC_POPULATE:
    case FC_MADVISE:
        ml_say("%s: %ld faults counted inside the call, with no trap a page: %.2fx the first "
               "touch's speed; the stores after it took %ld %s, the pages being mapped already "
               "(the call and the stores together: %.2fx)", names[i], r->faults,
               r->ms > 0 ? f->ms / r->ms : 0, r->after_faults,
               ml_plural(r->after_faults, "fault", "faults"),
               r->ms + r->after_ms > 0 ? f->ms / (r->ms + r->after_ms) : 0);
        break;
    case FC_HUGE:
        ml_say("huge pages: %.0f pages a fault%s", per, per >= 256 ?
               ": one fault maps a 2 MiB page, 512 small ones" :
               ": the tmpfs gave few or no huge pages (no free 2 MiB blocks of memory, or an "
               "object smaller than 2 MiB)");
        break;
    }
}

void fc_table(const struct fc_row *rows, int nrows)
{
    ml_show("%-36s %8s %8s %8s %9s %10s %8s", "phase", "pages", "faults", "pg/fault",
            "time ms", "faults/s", "speed");
    for (int i = 0; i < nrows; i++) {
        if (rows[i].what != NULL)
            line(&rows[i], i, rows[FC_FIRST].ms);
        else
            ml_show("%-36s skipped: %s", names[i], rows[i].why[0] ? rows[i].why : "not run");
    }
    ml_say("(speed: the first touch's time over this phase's, for the same pages)");
    for (int i = 0; i < nrows; i++)
        if (rows[i].what != NULL)
            meaning(rows, i);
}
