/* model.c — the two sampling tiers, and the snapshot they keep.
 *
 * Fast tier, every refresh: the object (stat of the name, fstat), residency
 * (a budget of pages per tick), a few changed-page hashes, the selected
 * page, its frames in the known mappers, and the trace.  Slow tier, about
 * every 2 s or when something happened to the object: the /proc scan of
 * mappers and holders and their smaps.  Under --once both run at the same
 * time, the scan in helper threads, so the answer costs little more than
 * mincore.
 */
#include "model.h"
#include "object.h"
#include "residency.h"
#include "contents.h"
#include "frames.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A trace event for the object asks for a /proc scan, at most this often. */
#define TRACE_SCAN_GAP_MS  250

/* The model: the snapshot, and the parts that fill it, each with its own
 * state.  Only this file sees them all; a part knows none above it. */
struct mv_model {
    struct mv_snapshot s;
    bool single;
    bool want_slow;
    struct obj_part obj;
    struct res_part res;
    struct contents_part contents;
    struct frames_part frames;
    /* The trace tail, and when an event of it last asked for a scan. */
    struct tt_tail tail;
    double trace_scan_ms;
};

static struct res_io res_io(struct mv_model *m)
{
    return (struct res_io){ &m->res, &m->s, m->obj.fd, m->obj.trusted };
}

static struct contents_io contents_io(struct mv_model *m)
{
    return (struct contents_io){ &m->contents, res_io(m), m->obj.swap, m->single };
}

/* The other parts follow what happened to the object (OBJ_*), and size
 * their arrays for its pages. */
static void follow(struct mv_model *m, unsigned what)
{
    struct res_io r = res_io(m);
    struct contents_io c = contents_io(m);

    if (what & OBJ_FORGOT) {
        size_t old = m->s.res.npages;
        res_forget(&r);
        contents_resize(&c, old, 0);
        contents_forget(&c);
    }
    size_t want = m->s.obj.tracked && m->s.obj.pages <= MV_MAX_PAGES ? m->s.obj.pages : 0;
    size_t old = m->s.res.npages;
    if (want != old || m->s.res.map == NULL) {
        res_resize(&r, want);
        contents_resize(&c, old, want);
    }
    if (what & OBJ_ADOPTED) {
        m->res.cursor = m->res.done = 0;
        m->contents.hash_cursor = 0;
    }
    if (what & OBJ_RESIZED)
        m->res.done = 0;
    if (what & (OBJ_SCAN | OBJ_ADOPTED))
        m->want_slow = true;
}

static void obj_look(struct mv_model *m)
{
    follow(m, obj_sample(&m->obj, &m->s));
}

static void res_look(struct mv_model *m, bool full)
{
    struct res_io r = res_io(m);
    res_sample(&r, full);
}

static void page_look(struct mv_model *m)
{
    struct contents_io c = contents_io(m);
    page_read(&c);
}

static void hash_look(struct mv_model *m)
{
    struct contents_io c = contents_io(m);
    hash_sample(&c);
}

/* The trace says a program did something to the object: look at the
 * mappers now (not more often than TRACE_SCAN_GAP_MS). */
static void trace_sample(struct mv_model *m)
{
    const char *object2 = m->s.kind == MV_FILE ? m->s.path : NULL;

    if (tt_sample(&m->tail, &m->s.trace, m->s.target, object2) == 0)
        return;
    double now = mv_now_ms();
    if (now - m->trace_scan_ms >= TRACE_SCAN_GAP_MS) {
        m->want_slow = true;
        m->trace_scan_ms = now;
    }
}

struct mv_model *mv_model_new(const struct mv_config *cfg, char *why,
                              size_t whysz)
{
    struct mv_model *m = calloc(1, sizeof *m);

    if (m == NULL) {
        snprintf(why, whysz, "out of memory");
        return NULL;
    }
    m->obj.fd = -1;
    frames_init(&m->frames);
    m->single = cfg->single;
    snprintf(m->obj.shm_dir, sizeof m->obj.shm_dir, "%s",
             cfg->shm_dir ? cfg->shm_dir : "/dev/shm");
    if (obj_resolve(&m->obj, &m->s, cfg, why, whysz) == -1) {
        free(m);
        return NULL;
    }
    m->s.page_size = sysconf(_SC_PAGESIZE);
    m->s.self = getpid();
    m->s.frames_visible = ml_frames_visible();
    m->s.page.index = cfg->page > 0 ? cfg->page : 0;
    m->s.state = MV_WAITING;
    m->trace_scan_ms = -1e9;
    follow(m, 0);
    tt_init(&m->tail, &m->s.trace, cfg->trace);
    return m;
}

void mv_model_free(struct mv_model *m)
{
    if (m == NULL)
        return;
    obj_forget(&m->obj, &m->s);
    tt_close(&m->tail);
    frames_close(&m->frames);
    free(m->s.res.map);
    free(m->s.res.changed);
    contents_free(&m->contents);
    free(m->s.page.bytes);
    free(m->s.page.changed);
    free(m);
}

const struct mv_snapshot *mv_model_snapshot(const struct mv_model *m)
{
    return &m->s;
}

static struct ps_job *scan_begin(const struct mv_model *m, int helpers)
{
    return ps_begin("/proc", m->s.obj.dev, m->s.obj.ino, m->s.path, m->s.self,
                    helpers);
}

/* Install a finished scan; let go of an object nobody uses. */
static void scan_end(struct mv_model *m, struct ps_job *j)
{
    m->s.slow_ms = ps_end(j, &m->s.procs);
    m->s.slow_samples++;
    m->want_slow = false;
    ino_t before = m->s.obj.ino;
    follow(m, obj_after_scan(&m->obj, &m->s));
    frames_prune(&m->frames, &m->s.procs);
    if (m->s.obj.tracked && m->s.obj.ino != before) {
        /* It followed the name to a new object: sample that one too. */
        res_look(m, true);
        page_look(m);
        ps_end(scan_begin(m, ps_helpers()), &m->s.procs);
    }
}

static void slow(struct mv_model *m)
{
    if (m->s.obj.tracked) {
        scan_end(m, scan_begin(m, ps_helpers()));
    } else {
        ps_free(&m->s.procs);
        m->want_slow = false;
    }
}

static void fast(struct mv_model *m, bool full)
{
    obj_look(m);
    res_look(m, full);
    hash_look(m);
    page_look(m);
    trace_sample(m);
}

void mv_model_sample(struct mv_model *m, unsigned tiers)
{
    double t0 = mv_now_ms();
    bool full = tiers & MV_FULL;

    if ((tiers & MV_FAST) && (tiers & MV_SLOW) && full) {
        /* mincore and the /proc scan each take a core's while: the helpers
         * scan while this thread asks mincore, then it joins them. */
        obj_look(m);
        int helpers = ps_helpers() > 0 ? ps_helpers() : 0;
        struct ps_job *j = m->s.obj.tracked ? scan_begin(m, helpers) : NULL;
        res_look(m, true);
        hash_look(m);
        page_look(m);
        trace_sample(m);
        m->s.fast_ms = mv_now_ms() - t0;
        if (j != NULL) {
            scan_end(m, j);
        } else {
            ps_free(&m->s.procs);
            m->want_slow = false;
        }
    } else {
        if (tiers & MV_FAST) {
            fast(m, full);
            m->s.fast_ms = mv_now_ms() - t0;
        }
        if ((tiers & MV_SLOW) || m->want_slow)
            slow(m);
    }
    if (tiers & MV_FAST)
        m->s.fast_samples++;
    m->s.sampled_ns = mv_realtime_ns();
    frames_sample(&m->frames, &m->s);
}

void mv_model_select(struct mv_model *m, long long page)
{
    m->s.page.index = page < 0 ? 0 : page;
    page_look(m);
    frames_sample(&m->frames, &m->s);
}

long long mv_model_search(struct mv_model *m, const unsigned char *needle,
                          size_t n, long long from, bool *wrapped)
{
    struct contents_io c = contents_io(m);
    return page_search(&c, needle, n, from, wrapped);
}

const char *mv_state_word(enum mv_state s)
{
    static const char *w[] = { "waiting", "live", "unlinked", "replaced", "freed" };
    return (unsigned)s < sizeof w / sizeof w[0] ? w[s] : "?";
}

const char *mv_kind_word(enum mv_kind k)
{
    return k == MV_SHM ? "shm" : "file";
}

const char *mv_source_word(enum mv_res_source s)
{
    static const char *w[] = { "none", "mincore", "seek_data", "unknown" };
    return (unsigned)s < sizeof w / sizeof w[0] ? w[s] : "?";
}
