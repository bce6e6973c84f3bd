/* describe.c — lines for people, shared by the screen and --once.
 *
 * Everything that came from outside (names, paths, commands, trace text) is
 * passed through describe_clean: a file name must not be able to move the
 * cursor of the terminal that shows it.
 */
#include "describe.h"
#include "json.h"
#include "mmaplab.h"

#include <pwd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

char *describe_clean(char *out, size_t n, const char *in)
{
    const unsigned char *u = (const unsigned char *)in;
    size_t o = 0, i = 0, len = strlen(in);

    if (n == 0)
        return out;
    while (i < len && o + 1 < n) {
        size_t l = u[i] < 0x80 ? 1 : json_utf8_len(u + i, len - i);
        bool c1 = l == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0;
        if (l == 0 || c1 || u[i] < 0x20 || u[i] == 0x7f) {
            out[o++] = '?';
            i += l ? l : 1;
            continue;
        }
        if (o + l + 1 > n)
            break;
        memcpy(out + o, u + i, l);
        o += l;
        i += l;
    }
    out[o] = '\0';
    return out;
}

static const char *user_name(uid_t uid, char *buf, size_t n)
{
    struct passwd pw, *r = NULL;
    char tmp[1024];

    if (getpwuid_r(uid, &pw, tmp, sizeof tmp, &r) == 0 && r != NULL)
        snprintf(buf, n, "%s", r->pw_name);
    else
        snprintf(buf, n, "uid %ld", (long)uid);
    return buf;
}

const char *describe_state(const struct mv_snapshot *s)
{
    switch (s->state) {
    case MV_WAITING:
        if (s->obj.note[0])       /* something is there, or cannot be looked at */
            return "nothing that can be shown at that name (see the note)";
        return s->kind == MV_SHM ? "no such object yet: run 01-create"
                                 : "no file at that path yet";
    case MV_LIVE:
        return "the name leads to this object";
    case MV_UNLINKED:
        return "name gone; still mapped or held open";
    case MV_REPLACED:
        return "the name leads to a new object now";
    case MV_FREED:
        return "name gone, nobody used it: freed";
    }
    return "";
}

const char *describe_in_word(const struct mv_residency *r)
{
    return r->source == MV_RES_SEEK_DATA ? "allocated" : "resident";
}

const char *describe_unknown(const struct mv_snapshot *s)
{
    if (s->res.too_large)
        return "not followed: too many pages to look at one by one";
    if (!s->obj.readable)
        return "unknown: the object cannot be opened to ask";
    return "unknown: the kernel would not tell this user the truth";
}

int describe_object(const struct mv_snapshot *s, char out[][DESC_LINE], int max)
{
    const struct mv_object *o = &s->obj;
    const struct mv_residency *r = &s->res;
    char name[512], size[32], psz[32], user[64];
    int n = 0;

#define LINE(...) do { if (n < max) snprintf(out[n++], DESC_LINE, __VA_ARGS__); } while (0)
    describe_clean(name, sizeof name, s->target);
    if (s->kind == MV_SHM)
        LINE("%s  shared memory object (POSIX shm)", name);
    else
        LINE("%s  file", name);
    LINE("state   %s: %s", mv_state_word(s->state), describe_state(s));
    if (!o->tracked) {
        char path[512];
        describe_clean(path, sizeof path, s->path);
        LINE("path    %s", path);
        if (o->note[0])
            LINE("note    %s", o->note);
        return n;
    }
    ml_human_size((unsigned long long)o->size, size, sizeof size);
    ml_human_size((unsigned long long)s->page_size, psz, sizeof psz);
    if (o->size >= 1024)
        LINE("size    %lld bytes (%s), %zu page%s of %s", (long long)o->size,
             size, o->pages, o->pages == 1 ? "" : "s", psz);
    else
        LINE("size    %s, %zu page%s of %s", size, o->pages,
             o->pages == 1 ? "" : "s", psz);
    switch (r->source) {
    case MV_RES_MINCORE:
    case MV_RES_SEEK_DATA:
        LINE("memory  %zu of %zu page%s %s (%s)%s", r->count, o->pages,
             o->pages == 1 ? "" : "s", describe_in_word(r),
             r->source == MV_RES_MINCORE ? "mincore" : "SEEK_DATA: swapped pages too",
             r->complete ? "" : ", first pass not done");
        break;
    case MV_RES_UNKNOWN:
        if (r->too_large)
            LINE("memory  not followed: over %u pages, too many to look at one by one",
                 MV_MAX_PAGES_SHOWN);
        else if (!o->readable)
            LINE("memory  unknown: the object cannot be opened to ask");
        else
            LINE("memory  unknown: the kernel would not tell this user the truth");
        break;
    case MV_RES_NONE:
        break;
    }
    if (o->note[0])
        LINE("note    %s", o->note);
    LINE("inode   %u:%u:%llu, %lu link%s%s", major(o->dev), minor(o->dev),
         (unsigned long long)o->ino, (unsigned long)o->nlink,
         o->nlink == 1 ? "" : "s", o->nlink == 0 ? " (unlinked)" : "");
    if (s->state == MV_REPLACED)
        LINE("        the name now leads to inode %llu", (unsigned long long)o->name_ino);
    LINE("owner   %s (uid %ld), mode %04o", user_name(o->uid, user, sizeof user),
         (long)o->uid, (unsigned)(o->mode & 07777));
    LINE("backing %s%s", o->fs, s->kind == MV_SHM ? " (/dev/shm: memory, swap)" : "");
#undef LINE
    return n;
}

struct cell describe_cell(const struct mv_residency *r, size_t a, size_t b)
{
    struct cell c = { CELL_NONE, false };
    size_t in = 0, unknown = 0;

    if (b > r->npages)
        b = r->npages;
    for (size_t i = a; i < b; i++) {
        in += r->map[i] == MV_PAGE_IN;
        unknown += r->map[i] == MV_PAGE_UNKNOWN;
        c.changed = c.changed || r->changed[i];
    }
    if (b <= a || unknown == b - a)
        c.kind = CELL_UNKNOWN;
    else if (in == b - a)
        c.kind = CELL_FULL;
    else if (in > 0)
        c.kind = CELL_PART;
    return c;
}

size_t describe_hex_rows(const struct mv_page *pg, struct hex_row *out,
                         size_t max)
{
    size_t n = 0;
    bool squeezing = false;

    for (size_t off = 0; off < pg->len && n < max; off += 16) {
        size_t len = pg->len - off < 16 ? pg->len - off : 16;
        bool same = off >= 16 && len == 16 &&
                    memcmp(pg->bytes + off, pg->bytes + off - 16, 16) == 0;
        bool changed = false;
        for (size_t i = off; i < off + len; i++)
            changed = changed || pg->changed[i];
        /* A changed row is shown even inside a squeezed run. */
        if (same && !changed && off + 16 < pg->len) {
            if (!squeezing)
                out[n++] = (struct hex_row){ off, len, true };
            squeezing = true;
            continue;
        }
        squeezing = false;
        out[n++] = (struct hex_row){ off, len, false };
    }
    return n;
}

struct hex_row *describe_hex_rows_new(const struct mv_page *pg, long page_size,
                                      size_t *n)
{
    size_t max = (size_t)page_size / 16 + 1;
    struct hex_row *rows = malloc(max * sizeof *rows);

    *n = rows ? describe_hex_rows(pg, rows, max) : 0;
    return rows;
}

enum byte_class describe_byte(unsigned char c)
{
    if (c == 0)
        return BYTE_NUL;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
        return BYTE_SPACE;
    if (c > 0x20 && c < 0x7f)
        return BYTE_PRINT;
    return BYTE_OTHER;
}

const char describe_proc_header[] =
    "PID     COMMAND          ADDRESS RANGE             PERM  OFFSET  "
    "     RSS     PSS  SH_CLN  SH_DRT  PR_CLN  PR_DRT";

void describe_proc(const struct mv_proc *p, char *out, size_t n)
{
    char comm[64];
    const char *mark = p->self ? "  (this viewer, not counted)"
                     : p->viewer ? "  (a viewer, not counted)" : "";

    describe_clean(comm, sizeof comm, p->comm);
    if (p->fd_only) {
        snprintf(out, n, "%-7ld %-16.16s holds it open: descriptor %d%s%s",
                 (long)p->pid, comm, p->fd, p->nfds > 1 ? " and more" : "", mark);
        return;
    }
    char range[64], sz[6][16];
    snprintf(range, sizeof range, "%lx-%lx", p->start, p->end);
    const long long v[6] = { p->sm.rss_kb, p->sm.pss_kb, p->sm.shared_clean_kb,
                             p->sm.shared_dirty_kb, p->sm.private_clean_kb,
                             p->sm.private_dirty_kb };
    for (int i = 0; i < 6; i++) {
        if (p->smaps_ok)
            snprintf(sz[i], sizeof sz[i], "%lldk", v[i]);
        else
            snprintf(sz[i], sizeof sz[i], "?");
    }
    snprintf(out, n, "%-7ld %-16.16s %-25s %-4s  %-8llx %7s %7s %7s %7s %7s %7s%s%s",
             (long)p->pid, comm, range, p->perms, p->offset, sz[0], sz[1], sz[2],
             sz[3], sz[4], sz[5], p->deleted ? "  (deleted)" : "", mark);
}

char describe_group(int group)
{
    return group >= 0 && group < 26 ? (char)('A' + group) : '*';
}

void describe_frame(const struct mv_proc *p, char *out, size_t n)
{
    switch (p->frame_state) {
    case MV_FRAME_PRESENT:
        snprintf(out, n, "%#llx [%c] %llu map%s%s",
                 (unsigned long long)p->pfn, describe_group(p->frame_group),
                 (unsigned long long)p->mapcount, p->mapcount == 1 ? "" : "s",
                 p->exclusive ? ", only here" : "");
        break;
    case MV_FRAME_HIDDEN:
        snprintf(out, n, "hidden, present%s",
                 p->exclusive ? ", only here" : ", shared");
        break;
    case MV_FRAME_ABSENT:
        snprintf(out, n, "not touched yet (no page table entry)");
        break;
    case MV_FRAME_SWAPPED:
        snprintf(out, n, "swapped out");
        break;
    case MV_FRAME_UNREADABLE:
        snprintf(out, n, "pagemap not readable");
        break;
    case MV_FRAME_OUTSIDE:
        snprintf(out, n, p->fd_only ? "no mapping (descriptor only)"
                                    : "its mapping does not cover this page");
        break;
    }
}

void describe_frames_summary(const struct mv_snapshot *s, char *out, size_t n)
{
    int present = 0, hidden = 0, groups = 0, procs = 0;
    pid_t last = 0;

    for (size_t i = 0; i < s->procs.n; i++) {
        const struct mv_proc *p = &s->procs.v[i];
        if (p->self || p->fd_only)
            continue;
        if (p->pid != last)
            procs++;
        last = p->pid;
        if (p->frame_state == MV_FRAME_PRESENT) {
            present++;
            if (p->frame_group + 1 > groups)
                groups = p->frame_group + 1;
        } else if (p->frame_state == MV_FRAME_HIDDEN) {
            hidden++;
        }
    }
    if (s->page.index < 0 || !s->obj.tracked)
        snprintf(out, n, "no page selected");
    else if (procs == 0 && s->procs.hidden > 0)
        snprintf(out, n, "no process seen mapping it (%d could not be inspected)",
                 s->procs.hidden);
    else if (procs == 0)
        snprintf(out, n, "no process maps the object");
    else if (hidden > 0)
        snprintf(out, n, "frame numbers hidden: this viewer lacks CAP_SYS_ADMIN "
                 "(0 means hidden, not equal)");
    else if (present == 0)
        snprintf(out, n, "no mapper has page %lld in its page table yet",
                 s->page.index);
    else if (groups == 1 && present > 1)
        snprintf(out, n, "%d mappings, one frame: the same physical page", present);
    else if (groups == 1)
        snprintf(out, n, "one mapping has it in memory");
    else
        snprintf(out, n, "%d mappings on %d frames: different physical pages "
                 "(a private copy?)", present, groups);
}

void describe_event(const struct mv_event *e, char *out, size_t n)
{
    char when[32] = "--:--:--.---", detail[sizeof e->detail * 4];
    time_t sec = (time_t)(e->ts_ns / 1000000000LL);
    struct tm tm;

    if (e->ts_ns > 0 && localtime_r(&sec, &tm) != NULL) {
        size_t l = strftime(when, sizeof when, "%H:%M:%S", &tm);
        snprintf(when + l, sizeof when - l, ".%03lld",
                 e->ts_ns / 1000000LL % 1000);
    }
    char prog[64], event[32], step[64], call[96];
    describe_clean(detail, sizeof detail, e->detail);
    describe_clean(prog, sizeof prog, e->prog);
    describe_clean(event, sizeof event, e->event);
    describe_clean(step, sizeof step, e->step);
    describe_clean(call, sizeof call, e->call);
    snprintf(out, n, "%s %6lld %-10.10s %-6.6s %-7.7s %s%s", when, e->pid,
             prog, event, step, call, detail);
}

void describe_proc_counts(const struct mv_snapshot *s, char *out, size_t n)
{
    const struct mv_procs *p = &s->procs;

    if (!p->valid) {
        snprintf(out, n, "not scanned yet");
        return;
    }
    snprintf(out, n, "%d map%s it, %d hold%s it open only; %d of %d processes "
             "could not be inspected%s", p->mappers, p->mappers == 1 ? "s" : "",
             p->holders, p->holders == 1 ? "s" : "", p->hidden, p->scanned,
             p->hidden == 0 ? ""
             : geteuid() != 0 ? " (/proc shows other users' maps and descriptors only to root)"
             : " (/proc refused their maps or descriptors even to root: processes of "
               "another user namespace or container, or ended during the scan)");
}

const char describe_proc_legend[] =
    "kB.  RSS: in memory for this process.  PSS: each page shared out among the "
    "processes that have it.  SH_/PR_: pages shared with another process / used by "
    "this one alone (not MAP_SHARED/MAP_PRIVATE).  CLN/DRT: clean / dirty (written).";
