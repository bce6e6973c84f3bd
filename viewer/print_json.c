/* print_json.c — the snapshot as one JSON document (--json).
 *
 * The keys mmapview(1) lists under JSON OUTPUT are relied on by tests and
 * scripts; the others are extra.  Trace events are copied as the programs
 * wrote them (each line was checked to be one JSON object when it was read).
 */
#include "print.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

struct jw {
    FILE *f;
    bool comma;
};

static void key(struct jw *w, const char *k)
{
    fprintf(w->f, "%s\"%s\":", w->comma ? "," : "", k);
    w->comma = true;
}

static void str_n(struct jw *w, const char *s, size_t n)
{
    size_t cap = n * 6 + 16;
    char *q = malloc(cap);

    if (q == NULL) {
        fputs("null", w->f);
        return;
    }
    json_quote(q, cap, s, n, n, NULL);
    fputs(q, w->f);
    free(q);
}

static void kstr(struct jw *w, const char *k, const char *v)
{
    key(w, k);
    if (v == NULL)
        fputs("null", w->f);
    else
        str_n(w, v, strlen(v));
}

static void kint(struct jw *w, const char *k, long long v)
{
    key(w, k);
    fprintf(w->f, "%lld", v);
}

static void kbool(struct jw *w, const char *k, bool v)
{
    key(w, k);
    fputs(v ? "true" : "false", w->f);
}

static void knull(struct jw *w, const char *k)
{
    key(w, k);
    fputs("null", w->f);
}

static void open_obj(struct jw *w, const char *k)
{
    if (k)
        key(w, k);
    else if (w->comma)
        fputc(',', w->f);
    fputc('{', w->f);
    w->comma = false;
}

static void close_obj(struct jw *w)
{
    fputc('}', w->f);
    w->comma = true;
}

static void residency(struct jw *w, const struct mv_snapshot *s)
{
    const struct mv_residency *r = &s->res;

    open_obj(w, "residency");
    kstr(w, "source", r->source == MV_RES_NONE ? "unknown" : mv_source_word(r->source));
    kstr(w, "label", r->source == MV_RES_SEEK_DATA ? "allocated"
                   : r->source == MV_RES_MINCORE ? "resident" : "unknown");
    if (r->source == MV_RES_MINCORE || r->source == MV_RES_SEEK_DATA)
        kint(w, "count", (long long)r->count);
    else
        knull(w, "count");
    kbool(w, "complete", r->complete);
    kbool(w, "lie_detected", r->lie_seen);
    kbool(w, "too_large", r->too_large);
    key(w, "map");
    fputc('"', w->f);
    for (size_t i = 0; i < r->npages; i++)
        fputc(r->map[i] == MV_PAGE_IN ? '1' : r->map[i] == MV_PAGE_OUT ? '0' : '?', w->f);
    fputc('"', w->f);
    kint(w, "changed_count", (long long)r->nchanged);
    key(w, "changed");
    fputc('[', w->f);
    size_t shown = 0;
    for (size_t i = 0; i < r->npages && shown < 4096; i++) {
        if (r->changed[i])
            fprintf(w->f, "%s%zu", shown++ ? "," : "", i);
    }
    fputc(']', w->f);
    close_obj(w);
}

static void page(struct jw *w, const struct mv_snapshot *s)
{
    const struct mv_page *pg = &s->page;

    if (!s->obj.tracked || pg->index < 0 || s->obj.pages == 0) {
        knull(w, "page");
        return;
    }
    open_obj(w, "page");
    kint(w, "index", pg->index);
    kint(w, "offset", (long long)pg->offset);
    kint(w, "len", (long long)pg->len);
    kbool(w, "hole", pg->hole);
    if (pg->valid) {
        static const char hx[] = "0123456789abcdef";
        key(w, "hex");
        fputc('"', w->f);
        for (size_t i = 0; i < pg->len; i++) {
            fputc(hx[pg->bytes[i] >> 4], w->f);
            fputc(hx[pg->bytes[i] & 15], w->f);
        }
        fputc('"', w->f);
        char *t = malloc(pg->len + 1);
        if (t != NULL) {
            for (size_t i = 0; i < pg->len; i++)
                t[i] = pg->bytes[i] >= 0x20 && pg->bytes[i] < 0x7f ? (char)pg->bytes[i] : '.';
            t[pg->len] = '\0';
            kstr(w, "text", t);
            free(t);
        }
        kint(w, "changed_bytes", (long long)pg->nchanged);
        knull(w, "note");
    } else {
        knull(w, "hex");
        knull(w, "text");
        kint(w, "changed_bytes", 0);
        kstr(w, "note", pg->note);
    }
    close_obj(w);
}

static void hexaddr(struct jw *w, const char *k, unsigned long long v)
{
    char b[32];
    snprintf(b, sizeof b, "0x%llx", v);
    kstr(w, k, b);
}

static void process(struct jw *w, const struct mv_proc *p)
{
    open_obj(w, NULL);
    kint(w, "pid", p->pid);
    kstr(w, "comm", p->comm);
    kbool(w, "fd_only", p->fd_only);
    if (p->fd >= 0)
        kint(w, "fd", p->fd);
    else
        knull(w, "fd");
    kbool(w, "viewer", p->viewer);
    if (p->fd_only) {
        knull(w, "start");
        knull(w, "end");
        knull(w, "perms");
        knull(w, "offset");
    } else {
        hexaddr(w, "start", p->start);
        hexaddr(w, "end", p->end);
        kstr(w, "perms", p->perms);
        kint(w, "offset", (long long)p->offset);
        kbool(w, "deleted", p->deleted);
    }
    const struct { const char *k; long long v; } sz[] = {
        { "rss_kb", p->sm.rss_kb }, { "pss_kb", p->sm.pss_kb },
        { "shared_clean_kb", p->sm.shared_clean_kb },
        { "shared_dirty_kb", p->sm.shared_dirty_kb },
        { "private_clean_kb", p->sm.private_clean_kb },
        { "private_dirty_kb", p->sm.private_dirty_kb },
        { "swap_kb", p->sm.swap_kb },
    };
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        if (p->smaps_ok)
            kint(w, sz[i].k, sz[i].v);
        else
            knull(w, sz[i].k);
    }
    kstr(w, "frame_state", mv_frame_word(p->frame_state));
    if (p->frame_state == MV_FRAME_PRESENT) {
        kint(w, "frame", (long long)p->pfn);
        char g[2] = { (char)('A' + (p->frame_group < 26 ? p->frame_group : 25)), 0 };
        kstr(w, "frame_group", g);
        kint(w, "frame_mapcount", (long long)p->mapcount);
    } else {
        knull(w, "frame");
        knull(w, "frame_group");
        knull(w, "frame_mapcount");
    }
    kbool(w, "frame_present", p->frame_state == MV_FRAME_PRESENT ||
                              p->frame_state == MV_FRAME_HIDDEN);
    kbool(w, "frame_exclusive", p->exclusive);
    if (p->frame_state != MV_FRAME_OUTSIDE)
        hexaddr(w, "vaddr", p->vaddr);
    close_obj(w);
}

void print_json(FILE *f, const struct mv_snapshot *s, const struct print_timing *t)
{
    struct jw w = { f, false };
    const struct mv_object *o = &s->obj;

    open_obj(&w, NULL);
    kint(&w, "v", 1);
    kstr(&w, "target", s->target);
    kstr(&w, "kind", mv_kind_word(s->kind));
    kstr(&w, "path", s->path);
    kstr(&w, "state", mv_state_word(s->state));
    kint(&w, "page_size", s->page_size);
    if (o->tracked) {
        char dev[32], mode[8];
        snprintf(dev, sizeof dev, "%u:%u", major(o->dev), minor(o->dev));
        snprintf(mode, sizeof mode, "%04o", (unsigned)(o->mode & 07777));
        kint(&w, "size", (long long)o->size);
        kint(&w, "pages", (long long)o->pages);
        kstr(&w, "dev", dev);
        kint(&w, "ino", (long long)o->ino);
        kint(&w, "nlink", (long long)o->nlink);
        kint(&w, "uid", (long long)o->uid);
        kstr(&w, "mode", mode);
        kstr(&w, "fs", o->fs);
        kbool(&w, "readable", o->readable);
        if (s->state == MV_REPLACED)
            kint(&w, "name_ino", (long long)o->name_ino);
    } else {
        const char *k[] = { "size", "pages", "dev", "ino", "nlink", "uid", "mode" };
        for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
            knull(&w, k[i]);
    }
    kstr(&w, "note", o->note[0] ? o->note : NULL);
    residency(&w, s);
    page(&w, s);

    key(&w, "processes");
    fputc('[', f);
    w.comma = false;
    for (size_t i = 0; i < s->procs.n; i++) {
        if (!s->procs.v[i].self)
            process(&w, &s->procs.v[i]);
    }
    fputc(']', f);
    w.comma = true;
    kint(&w, "mappers", s->procs.mappers);
    kint(&w, "holders", s->procs.holders);
    kint(&w, "hidden_processes", s->procs.hidden);
    kint(&w, "scanned_processes", s->procs.scanned);
    kint(&w, "viewer_pid", s->self);
    bool self_holds = false;
    for (size_t i = 0; i < s->procs.n; i++)
        self_holds = self_holds || s->procs.v[i].self;
    kbool(&w, "viewer_holds", self_holds);
    kbool(&w, "frames_visible", s->frames_visible);

    key(&w, "trace");
    fputc('[', f);
    const struct mv_trace *tr = &s->trace;
    size_t from = tr->n > PRINT_EVENTS ? tr->n - PRINT_EVENTS : 0;
    for (size_t i = from; i < tr->n; i++)
        fprintf(f, "%s%s", i > from ? "," : "", mv_trace_at(tr, i)->raw);
    fputc(']', f);
    kstr(&w, "trace_path", tr->path[0] ? tr->path : NULL);
    kstr(&w, "trace_note", tr->note[0] ? tr->note : NULL);

    open_obj(&w, "timing");
    kint(&w, "samples", t->samples);
    fprintf(f, ",\"fast_ms\":%.3f,\"slow_ms\":%.3f", t->fast_ms, t->slow_ms);
    close_obj(&w);
    close_obj(&w);
    fputc('\n', f);
}
