/* procscan.c — who maps the object or holds it open, from /proc.
 *
 * Mappers are found by device:inode in /proc/PID/maps (a line that ends in
 * "(deleted)" once the name is gone), holders by stat of each /proc/PID/fd entry.
 * EACCES and ESRCH are normal here — processes die mid-scan, and some are
 * denied even to root — so they are counted, never fatal.  Only the
 * processes found are read further (comm, smaps).
 *
 * The scan runs in a thread of its own under --once, so it uses no state
 * but its arguments.
 */
#include "model_parts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

bool ps_is_viewer(const char *comm)
{
    return strcmp(comm, "mmapview") == 0;
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
            ml_maps_parse(p, &l) == 0) {
            bool same_dev = l.dev_major == major(dev) && l.dev_minor == minor(dev);
            if (same_dev || (path != NULL && strcmp(l.path, path) == 0)) {
                fn(&l, ctx);
                found++;
            }
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

void ps_smaps_fill(const char *buf, size_t n, pid_t pid, struct mv_procs *p)
{
    struct ml_maps_line l;
    struct ml_smaps scratch;
    const char *s = buf, *end = buf + n;
    struct mv_proc *cur = NULL;

    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        if (ml_smaps_field(s, cur ? &cur->sm : &scratch) == 1) {
            if (cur != NULL)
                cur->smaps_ok = true;
        } else {
            cur = NULL;
            if (ml_maps_parse(s, &l) == 0) {
                for (size_t i = 0; i < p->n; i++) {
                    struct mv_proc *e = &p->v[i];
                    if (e->pid == pid && !e->fd_only && e->start == l.start) {
                        cur = e;
                        memset(&cur->sm, 0, sizeof cur->sm);
                        break;
                    }
                }
            }
        }
        s = le + 1;
    }
}

/* The whole of a /proc file into *buf (NUL-terminated).  Returns its
 * length, or -1 with errno. */
static ssize_t slurp(const char *path, char **buf, size_t *cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t n = 0;

    if (fd == -1)
        return -1;
    for (;;) {
        if (*cap - n < 4097) {
            size_t nc = *cap ? *cap * 2 : 65536;
            char *b = realloc(*buf, nc);
            if (b == NULL) {
                close(fd);
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
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
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
    int count = 0;

    snprintf(p, sizeof p, "%s/%ld/fd", proc_root, (long)pid);
    int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd == -1) {
        *hidden = denied(errno);
        return 0;
    }
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        if (fstatat(dfd, de->d_name, &st, 0) == 0 && st.st_ino == ino &&
            st.st_dev == dev) {
            int fd = atoi(de->d_name);
            if (count == 0 || fd < *first)
                *first = fd;
            count++;
        }
    }
    closedir(d);
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

void ps_scan(const char *proc_root, dev_t dev, ino_t ino, const char *path,
             pid_t self, struct mv_procs *out)
{
    char p[256], *buf = NULL;
    size_t cap = 0;
    DIR *d = opendir(proc_root);

    ps_free(out);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *e;
        long pid = strtol(de->d_name, &e, 10);
        if (*e != '\0' || pid <= 0)
            continue;
        bool hidden = false;
        size_t before = out->n;
        out->scanned++;

        snprintf(p, sizeof p, "%s/%ld/maps", proc_root, pid);
        ssize_t n = slurp(p, &buf, &cap);
        if (n < 0) {
            if (denied(errno))
                hidden = true;
            else if (errno != ENOENT && errno != ESRCH)
                continue;
        } else if (pid != self) {
            /* The viewer's own mappings are the transient ones mincore
             * needs (under --once, from another thread): not real. */
            struct match_ctx c = { out, (pid_t)pid };
            ps_maps_match(buf, (size_t)n, dev, ino, path, on_mapping, &c);
        }
        int first = -1;
        bool fd_hidden = false;
        int nfds = scan_fds(proc_root, (pid_t)pid, dev, ino, &first, &fd_hidden);
        if (hidden || fd_hidden) {
            out->hidden++;
            if (hidden && out->n == before && nfds == 0)
                continue;
        }
        if (nfds > 0 && out->n == before) {
            struct mv_proc *h = add_proc(out, (pid_t)pid);
            h->fd_only = true;
        }
        if (out->n == before)
            continue;
        char comm[32];
        read_comm(proc_root, (pid_t)pid, comm, sizeof comm);
        bool any_map = false;
        for (size_t i = before; i < out->n; i++) {
            struct mv_proc *x = &out->v[i];
            snprintf(x->comm, sizeof x->comm, "%s", comm);
            x->self = pid == self;
            x->viewer = ps_is_viewer(comm);
            x->fd = first;
            x->nfds = nfds;
            any_map = any_map || !x->fd_only;
        }
        if (any_map) {
            snprintf(p, sizeof p, "%s/%ld/smaps", proc_root, pid);
            n = slurp(p, &buf, &cap);
            if (n > 0)
                ps_smaps_fill(buf, (size_t)n, (pid_t)pid, out);
        }
    }
    closedir(d);
    free(buf);

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
}
