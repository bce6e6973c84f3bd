/* procscan.c — who maps the object or holds it open, from /proc.
 *
 * Mappers are found by device:inode among each process's mappings (a path
 * that ends in "(deleted)" once the name is gone), holders by stat of each
 * /proc/PID/fd entry.  EACCES and ESRCH are normal here — processes die
 * mid-scan, and some are denied even to root — so they are counted, never
 * fatal.  Only the processes found are read further (comm, smaps).
 *
 * What it costs decides how it is done (make bench: 300 processes, 100 of
 * them mappers, with a target of 30 ms).  Nearly all of it is system calls,
 * several a process, and on a virtual machine each costs microseconds
 * before any work, so the fewer the better:
 *   - mappings are read as the maps text, usually in one read (it ends at
 *     the gate area's [vsyscall] line, where there is one), and only the
 *     lines with the object's inode are parsed.  (PROCMAP_QUERY answers one
 *     mapping a call: every file-backed mapping of every process is a
 *     system call then, about 15 a process, and the scan took about a fifth
 *     more CPU time than with the text);
 *   - descriptors are listed with getdents64 on the fd directory itself,
 *     without a DIR stream (which costs an fcntl and an allocation);
 *   - a process found mapping the object is not searched for descriptors
 *     too (it is a mapper either way);
 *   - smaps is read only when the process has a page of the object in its
 *     page tables (PAGEMAP_SCAN says, for much less), and then only up to
 *     the last block of the object: the kernel writes it as it is read,
 *     and most of its cost is that writing;
 *   - the processes are shared among a few threads, one per core; under
 *     --once the caller joins them once its mincore is done (ps_begin,
 *     ps_end), so it uses no state but its own.
 */
#include "procscan.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_WORKERS 4

bool ps_is_viewer(const char *comm)
{
    return strcmp(comm, "mmapview") == 0 || strcmp(comm, "mmaplab-tour") == 0;
}

/* The inode field of a maps line (the fifth), without parsing the rest. */
static bool line_ino(const char *l, const char *end, unsigned long long *ino)
{
    int spaces = 0;

    while (l < end && spaces < 4) {
        if (*l++ == ' ')
            spaces++;
    }
    if (spaces < 4 || l >= end || *l < '0' || *l > '9')
        return false;
    *ino = 0;
    while (l < end && *l >= '0' && *l <= '9')
        *ino = *ino * 10 + (unsigned long long)(*l++ - '0');
    return true;
}

static bool same_dev(const struct ml_maps_line *l, dev_t dev)
{
    return l->dev_major == major(dev) && l->dev_minor == minor(dev);
}

int ps_maps_match(const char *buf, size_t n, dev_t dev, ino_t ino,
                  const char *path, ps_maps_fn fn, void *ctx)
{
    struct ml_maps_line l;
    const char *p = buf, *end = buf + n;
    int found = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        unsigned long long li;
        if (line_ino(p, le, &li) && li == (unsigned long long)ino &&
            ml_maps_parse(p, &l) == 0 &&
            (same_dev(&l, dev) || (path != NULL && strcmp(l.path, path) == 0))) {
            fn(&l, ctx);
            found++;
        }
        p = le + 1;
    }
    return found;
}

static struct mv_proc *add_proc(struct mv_procs *out, pid_t pid)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        struct mv_proc *v = realloc(out->v, cap * sizeof *v);
        if (v == NULL) {
            perror("mmapview: out of memory");
            exit(1);
        }
        out->v = v;
        out->cap = cap;
    }
    struct mv_proc *e = &out->v[out->n++];
    memset(e, 0, sizeof *e);
    e->pid = pid;
    e->fd = -1;
    e->frame_group = -1;
    return e;
}

struct match_ctx {
    struct mv_procs *out;
    pid_t pid;
};

static void on_mapping(const struct ml_maps_line *l, void *vctx)
{
    struct match_ctx *c = vctx;
    struct mv_proc *e = add_proc(c->out, c->pid);

    e->start = l->start;
    e->end = l->end;
    memcpy(e->perms, l->perms, sizeof e->perms);
    e->offset = l->offset;
    e->deleted = l->deleted;
}

/* smaps, line by line: which block we are in. */
struct smaps_state {
    struct mv_proc *cur;
    size_t blocks, want;      /* blocks of ours seen, and how many there are */
};

static void smaps_line(const char *line, pid_t pid, struct mv_procs *p,
                       struct smaps_state *st)
{
    struct ml_maps_line l;
    struct ml_smaps scratch;

    if (ml_smaps_field(line, st->cur ? &st->cur->sm : &scratch) == 1) {
        if (st->cur != NULL)
            st->cur->smaps_ok = true;
        return;
    }
    st->cur = NULL;
    if (ml_maps_parse(line, &l) != 0)
        return;
    for (size_t i = 0; i < p->n; i++) {
        struct mv_proc *e = &p->v[i];
        if (e->pid == pid && !e->fd_only && e->start == l.start) {
            st->cur = e;
            st->blocks++;
            memset(&e->sm, 0, sizeof e->sm);
            return;
        }
    }
}

void ps_smaps_fill(const char *buf, size_t n, pid_t pid, struct mv_procs *p)
{
    struct smaps_state st = { NULL, 0, 0 };
    const char *s = buf, *end = buf + n;
    char line[4400];

    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = (size_t)((nl ? nl : end) - s);
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, s, len);
        line[len] = '\0';
        smaps_line(line, pid, p, &st);
        if (nl == NULL)
            break;
        s = nl + 1;
    }
}

/* Read pid's smaps until the blocks of its mappings of the object are in.
 * The kernel writes as many blocks as the read asks for, so it is asked
 * for little at a time. */
static void read_smaps(const char *proc_root, pid_t pid, struct mv_procs *p,
                       size_t first)
{
    char path[256], buf[2048], line[4400];
    struct smaps_state st = { NULL, 0, p->n - first };
    size_t have = 0;

    snprintf(path, sizeof path, "%s/%ld/smaps", proc_root, (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] != '\n') {
                if (have < sizeof line - 1)
                    line[have++] = buf[i];
                continue;
            }
            line[have] = '\0';
            have = 0;
            bool was_ours = st.cur != NULL;
            smaps_line(line, pid, p, &st);
            /* Past the last block of ours: stop the kernel writing more. */
            if (was_ours && st.cur == NULL && st.blocks >= st.want)
                goto done;
        }
    }
done:
    close(fd);
}

/* Does the text end with the x86-64 gate area's line, which the kernel
 * writes after every other mapping?  By its address too, which no file
 * can be mapped at: a file's name may end in " [vsyscall]". */
static bool ends_at_gate(const char *buf, size_t n)
{
    static const char head[] = "ffffffffff600000-ffffffffff601000 ";
    static const char tail[] = " [vsyscall]\n";
    size_t hl = sizeof head - 1, tl = sizeof tail - 1;

    if (n < hl + tl || memcmp(buf + n - tl, tail, tl) != 0)
        return false;
    const char *nl = memrchr(buf, '\n', n - 1);
    const char *line = nl ? nl + 1 : buf;
    return (size_t)(buf + n - line) >= hl + tl && memcmp(line, head, hl) == 0;
}

/* Read fd to its end; a maps file (maps) only until its gate area's line,
 * so that the read that would say "end" is not needed. */
static ssize_t slurp(int fd, char **buf, size_t *cap, bool maps)
{
    size_t n = 0;

    for (;;) {
        if (*cap - n < 4097) {
            size_t nc = *cap ? *cap * 2 : 65536;
            char *b = realloc(*buf, nc);
            if (b == NULL) {
                errno = ENOMEM;
                return -1;
            }
            *buf = b;
            *cap = nc;
        }
        ssize_t r = read(fd, *buf + n, *cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (maps && ends_at_gate(*buf, n))
            break;
    }
    (*buf)[n] = '\0';
    return (ssize_t)n;
}

static bool denied(int err)
{
    return err == EACCES || err == EPERM;
}

static int by_pid(const void *a, const void *b)
{
    const struct mv_proc *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->fd_only != y->fd_only)
        return x->fd_only ? 1 : -1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The descriptors of pid that lead to dev:ino: the first in *first. */
static int scan_fds(const char *proc_root, pid_t pid, dev_t dev, ino_t ino,
                    int *first, bool *hidden)
{
    char p[256];
    /* Aligned for the records the kernel writes into it. */
    _Alignas(struct dirent64) char buf[8192];
    int count = 0;
    ssize_t n;

    snprintf(p, sizeof p, "%s/%ld/fd", proc_root, (long)pid);
    int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd == -1) {
        *hidden = denied(errno);
        return 0;
    }
    while ((n = getdents64(dfd, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *de = (const struct dirent64 *)(buf + off);
            struct stat st;
            off += de->d_reclen;
            if (de->d_name[0] == '.')
                continue;
            if (fstatat(dfd, de->d_name, &st, 0) == -1) {
                if (!denied(errno))
                    continue;             /* closed meanwhile */
                /* The same check guards each of its descriptors. */
                *hidden = true;
                goto done;
            }
            if (st.st_ino == ino && st.st_dev == dev) {
                int fd = atoi(de->d_name);
                if (count == 0 || fd < *first)
                    *first = fd;
                count++;
            }
        }
        /* The fd directory stops a listing only when the buffer is full:
         * room left for a record of the longest name means the end. */
        if ((size_t)n + sizeof(struct dirent64) <= sizeof buf)
            break;
    }
done:
    close(dfd);
    return count;
}

static void read_comm(const char *proc_root, pid_t pid, char *out, size_t n)
{
    char p[256], buf[32];

    snprintf(p, sizeof p, "%s/%ld/comm", proc_root, (long)pid);
    snprintf(out, n, "?");
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return;
    buf[r] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    size_t len = strlen(buf) < n - 1 ? strlen(buf) : n - 1;
    memcpy(out, buf, len);
    out[len] = '\0';
}

void ps_free(struct mv_procs *p)
{
    free(p->v);
    memset(p, 0, sizeof *p);
}

struct worker {
    const char *proc_root;
    dev_t dev;
    ino_t ino;
    const char *path;
    pid_t self;
    bool swap;                /* the system has swap */
    struct mv_procs out;
    char *buf;
    size_t cap;
};

/* The mappings of pid that map the object, added to w->out.  Returns 0,
 * 1 when the process has no address space (nor descriptors: a kernel
 * thread), or -1 with errno when it cannot be looked at. */
static int mappings(struct worker *w, pid_t pid)
{
    char p[256];
    struct match_ctx c = { &w->out, pid };

    snprintf(p, sizeof p, "%s/%ld/maps", w->proc_root, (long)pid);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    /* The viewer's own mappings are the transient ones mincore needs
     * (under --once, from another thread): not real. */
    if (pid == w->self) {
        close(fd);
        return 0;
    }
    ssize_t n = slurp(fd, &w->buf, &w->cap, true);
    int e = errno;
    close(fd);
    if (n < 0) {
        errno = e;
        return -1;
    }
    ps_maps_match(w->buf, (size_t)n, w->dev, w->ino, w->path, on_mapping, &c);
    return n == 0 ? 1 : 0;
}

/* Has pid no page of its mappings of the object in its page tables?  Then
 * every size smaps would give is 0, and reading smaps, the costliest part
 * of a scan, can be skipped.  (Not with swap: smaps counts the swapped
 * pages of a shared tmpfs mapping from the object, not the page tables.) */
static bool untouched(const struct worker *w, pid_t pid, size_t first)
{
    char p[256];
    bool any = false;

    if (w->swap)
        return false;
    snprintf(p, sizeof p, "%s/%ld/pagemap", w->proc_root, (long)pid);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return false;
    for (size_t i = first; i < w->out.n && !any; i++) {
        const struct mv_proc *e = &w->out.v[i];
        if (ml_pages_any(fd, e->start, e->end, &any) == -1)
            any = true;               /* cannot tell: read smaps */
    }
    close(fd);
    if (any)
        return false;
    for (size_t i = first; i < w->out.n; i++) {
        memset(&w->out.v[i].sm, 0, sizeof w->out.v[i].sm);
        w->out.v[i].sm.size_kb = (long long)((w->out.v[i].end - w->out.v[i].start) / 1024);
        w->out.v[i].smaps_ok = true;
    }
    return true;
}

static void scan_pid(struct worker *w, pid_t pid)
{
    struct mv_procs *out = &w->out;
    size_t before = out->n;
    bool hidden = false, fd_hidden = false;
    int first = -1, nfds = 0;

    out->scanned++;
    int r = mappings(w, pid);
    if (r == -1) {
        if (denied(errno))
            hidden = true;
        else if (errno != ENOENT && errno != ESRCH)
            return;
    }
    if (r == 1)
        return;
    /* Its descriptors are behind the same check as its maps (ptrace's
     * read access): refused one, refused the other. */
    if (out->n == before && !hidden)
        nfds = scan_fds(w->proc_root, pid, w->dev, w->ino, &first, &fd_hidden);
    if (hidden || fd_hidden)
        out->hidden++;
    if (nfds > 0 && out->n == before)
        add_proc(out, pid)->fd_only = true;
    if (out->n == before)
        return;
    char comm[32];
    read_comm(w->proc_root, pid, comm, sizeof comm);
    for (size_t i = before; i < out->n; i++) {
        struct mv_proc *x = &out->v[i];
        snprintf(x->comm, sizeof x->comm, "%s", comm);
        x->self = pid == w->self;
        x->viewer = ps_is_viewer(comm);
        x->fd = first;
        x->nfds = nfds;
    }
    if (!out->v[before].fd_only && !untouched(w, pid, before))
        read_smaps(w->proc_root, pid, out, before);
}

/* A scan shared by whoever works on it: helper threads from the start,
 * and the caller once it has done its own work (under --once, mincore),
 * each taking the next process from a common counter until none is left.
 * So two cores stay busy however the work falls. */
struct ps_job {
    char proc_root[256];
    char path[4096];
    dev_t dev;
    ino_t ino;
    pid_t self;
    bool swap;
    pid_t *pids;
    size_t npids;
    atomic_size_t next;
    atomic_int slots;
    struct worker w[MAX_WORKERS + 1];
    pthread_t th[MAX_WORKERS];
    int nth;
    double t0;
};

static void *job_work(void *arg)
{
    struct ps_job *j = arg;
    int slot = atomic_fetch_add(&j->slots, 1);
    struct worker *w = &j->w[slot];

    *w = (struct worker){ .proc_root = j->proc_root, .dev = j->dev, .ino = j->ino,
                          .path = j->path, .self = j->self, .swap = j->swap };
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->npids)
            break;
        scan_pid(w, j->pids[i]);
    }
    free(w->buf);
    w->buf = NULL;
    return NULL;
}

static size_t list_pids(const char *proc_root, pid_t **pids)
{
    size_t n = 0, cap = 512;
    DIR *d = opendir(proc_root);

    *pids = malloc(cap * sizeof **pids);
    if (d == NULL || *pids == NULL) {
        if (d)
            closedir(d);
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *e;
        long pid = strtol(de->d_name, &e, 10);
        if (*e != '\0' || pid <= 0)
            continue;
        if (n == cap) {
            pid_t *v = realloc(*pids, cap * 2 * sizeof *v);
            if (v == NULL)
                break;
            *pids = v;
            cap *= 2;
        }
        (*pids)[n++] = (pid_t)pid;
    }
    closedir(d);
    return n;
}

int ps_helpers(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus <= 1 ? 0 : cpus > MAX_WORKERS ? MAX_WORKERS - 1 : (int)cpus - 1;
}

struct ps_job *ps_begin(const char *proc_root, dev_t dev, ino_t ino,
                        const char *path, pid_t self, int helpers)
{
    struct ps_job *j = calloc(1, sizeof *j);

    if (j == NULL) {
        perror("mmapview: out of memory");
        exit(1);
    }
    j->t0 = mv_now_ms();
    snprintf(j->proc_root, sizeof j->proc_root, "%s", proc_root);
    snprintf(j->path, sizeof j->path, "%s", path ? path : "");
    j->dev = dev;
    j->ino = ino;
    j->self = self;
    struct sysinfo si;
    j->swap = sysinfo(&si) != 0 || si.totalswap > 0;
    j->npids = list_pids(proc_root, &j->pids);
    atomic_init(&j->next, 0);
    atomic_init(&j->slots, 0);
    if (helpers > MAX_WORKERS)
        helpers = MAX_WORKERS;
    if ((size_t)helpers > j->npids / 64)
        helpers = (int)(j->npids / 64);   /* a thread is not worth a few pids */
    for (int i = 0; i < helpers; i++) {
        if (pthread_create(&j->th[j->nth], NULL, job_work, j) == 0)
            j->nth++;
    }
    return j;
}

double ps_end(struct ps_job *j, struct mv_procs *out)
{
    job_work(j);
    for (int i = 0; i < j->nth; i++)
        pthread_join(j->th[i], NULL);
    ps_free(out);
    int slots = atomic_load(&j->slots);
    for (int i = 0; i < slots; i++) {
        struct worker *w = &j->w[i];
        for (size_t k = 0; k < w->out.n; k++)
            *add_proc(out, 0) = w->out.v[k];
        out->hidden += w->out.hidden;
        out->scanned += w->out.scanned;
        ps_free(&w->out);
    }
    /* No process found: v is still NULL, which qsort may not be given
     * even for no elements. */
    if (out->n > 0)
        qsort(out->v, out->n, sizeof *out->v, by_pid);
    pid_t last = 0;
    for (size_t i = 0; i < out->n; i++) {
        const struct mv_proc *x = &out->v[i];
        if (x->pid == last || x->self || x->viewer)
            continue;
        last = x->pid;
        if (x->fd_only)
            out->holders++;
        else
            out->mappers++;
    }
    out->valid = true;
    double ms = mv_now_ms() - j->t0;
    free(j->pids);
    free(j);
    return ms;
}

void ps_scan(const char *proc_root, dev_t dev, ino_t ino, const char *path,
             pid_t self, struct mv_procs *out)
{
    ps_end(ps_begin(proc_root, dev, ino, path, self, ps_helpers()), out);
}

const char *mv_frame_word(enum mv_frame_state f)
{
    static const char *w[] = { "outside", "absent", "present", "hidden",
                               "swapped", "unreadable" };
    return (unsigned)f < sizeof w / sizeof w[0] ? w[f] : "?";
}
