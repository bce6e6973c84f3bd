/* pages.c — /proc maps, smaps, pagemap and kpagecount, read from outside. */
#include "pages.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/resource.h>
#include <unistd.h>

/* linux/fs.h has these from Linux 6.11 on; older headers do not. */
#ifndef PROCMAP_QUERY
struct procmap_query {
    uint64_t size;
    uint64_t query_flags;
    uint64_t query_addr;
    uint64_t vma_start;
    uint64_t vma_end;
    uint64_t vma_flags;
    uint64_t vma_page_size;
    uint64_t vma_offset;
    uint64_t inode;
    uint32_t dev_major;
    uint32_t dev_minor;
    uint32_t vma_name_size;
    uint32_t build_id_size;
    uint64_t vma_name_addr;
    uint64_t build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_VMA_READABLE         0x01
#define PROCMAP_QUERY_VMA_WRITABLE         0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE       0x04
#define PROCMAP_QUERY_VMA_SHARED           0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#define PROCMAP_QUERY_FILE_BACKED_VMA      0x20
#endif

/* And these from Linux 6.7 on. */
#ifndef PAGEMAP_SCAN
struct page_region {
    uint64_t start;
    uint64_t end;
    uint64_t categories;
};
struct pm_scan_arg {
    uint64_t size;
    uint64_t flags;
    uint64_t start;
    uint64_t end;
    uint64_t walk_end;
    uint64_t vec;
    uint64_t vec_len;
    uint64_t max_pages;
    uint64_t category_inverted;
    uint64_t category_mask;
    uint64_t category_anyof_mask;
    uint64_t return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#endif

/* A path that ends in " (deleted)" is of an unlinked file: cut and say so. */
static void cut_deleted(struct ml_maps_line *m)
{
    static const char del[] = " (deleted)";
    size_t n = strlen(m->path), dl = sizeof del - 1;

    m->deleted = n >= dl && strcmp(m->path + n - dl, del) == 0;
    if (m->deleted)
        m->path[n - dl] = '\0';
}

/* Hex digits at *p into *v; advances *p.  Returns the number of digits. */
static int hex_field(const char **p, unsigned long long *v)
{
    const char *s = *p;
    unsigned long long x = 0;
    int n = 0;

    for (;; s++, n++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
        else if (*s >= 'A' && *s <= 'F') d = (unsigned)(*s - 'A' + 10);
        else break;
        if (n >= 16)
            return 0;           /* more than 64 bits: not a maps field */
        x = x << 4 | d;
    }
    *v = x;
    *p = s;
    return n;
}

/* Hand-written rather than sscanf: the viewer parses every line of every
 * process's maps on each scan, and sscanf was most of that time. */
int ml_maps_parse(const char *line, struct ml_maps_line *m)
{
    const char *p = line;
    unsigned long long start, end, off, maj, min, ino = 0;
    int digits = 0;

    if (!hex_field(&p, &start) || *p++ != '-' || !hex_field(&p, &end) ||
        *p++ != ' ')
        return -1;
    for (int i = 0; i < 4; i++)
        if (p[i] == '\0' || p[i] == ' ' || p[i] == '\n')
            return -1;
    if (p[4] != ' ')
        return -1;
    char perms[5] = { p[0], p[1], p[2], p[3], '\0' };
    p += 5;
    if (!hex_field(&p, &off) || *p++ != ' ' || !hex_field(&p, &maj) ||
        *p++ != ':' || !hex_field(&p, &min) || *p++ != ' ')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (ino > (~0ULL - 9) / 10)
            return -1;
        ino = ino * 10 + (unsigned long long)(*p - '0');
    }
    if (digits == 0 || (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0'))
        return -1;
    if (end < start || start > ~0UL || end > ~0UL || maj > ~0U || min > ~0U)
        return -1;

    m->start = (unsigned long)start;
    m->end = (unsigned long)end;
    memcpy(m->perms, perms, sizeof perms);
    m->offset = off;
    m->dev_major = (unsigned)maj;
    m->dev_minor = (unsigned)min;
    m->ino = ino;
    while (*p == ' ' || *p == '\t')
        p++;
    /* The path runs to the end of the line, spaces and all. */
    size_t n = strcspn(p, "\n");
    if (n >= sizeof m->path)
        n = sizeof m->path - 1;
    memcpy(m->path, p, n);
    m->path[n] = '\0';
    cut_deleted(m);
    return 0;
}

int ml_maps_next(int fd, unsigned long addr, bool file_only, bool want_path,
                 struct ml_maps_line *m)
{
    struct procmap_query q;

    memset(&q, 0, sizeof q);
    q.size = sizeof q;
    q.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA |
                    (file_only ? PROCMAP_QUERY_FILE_BACKED_VMA : 0);
    q.query_addr = addr;
    if (want_path) {
        /* The kernel writes the name there; zeroed first so that tools
         * that do not know this ioctl (valgrind) do not call it unset. */
        memset(m->path, 0, sizeof m->path);
        q.vma_name_addr = (uint64_t)(uintptr_t)m->path;
        q.vma_name_size = sizeof m->path;
    }
    if (ioctl(fd, PROCMAP_QUERY, &q) == -1)
        return -1;
    m->start = (unsigned long)q.vma_start;
    m->end = (unsigned long)q.vma_end;
    m->perms[0] = q.vma_flags & PROCMAP_QUERY_VMA_READABLE ? 'r' : '-';
    m->perms[1] = q.vma_flags & PROCMAP_QUERY_VMA_WRITABLE ? 'w' : '-';
    m->perms[2] = q.vma_flags & PROCMAP_QUERY_VMA_EXECUTABLE ? 'x' : '-';
    m->perms[3] = q.vma_flags & PROCMAP_QUERY_VMA_SHARED ? 's' : 'p';
    m->perms[4] = '\0';
    m->offset = q.vma_offset;
    m->dev_major = q.dev_major;
    m->dev_minor = q.dev_minor;
    m->ino = q.inode;
    m->deleted = false;
    if (!want_path || q.vma_name_size == 0)
        m->path[0] = '\0';
    else
        cut_deleted(m);
    return 0;
}

int ml_smaps_field(const char *line, struct ml_smaps *s)
{
    static const struct { const char *key; size_t off; } keys[] = {
        { "Size", offsetof(struct ml_smaps, size_kb) },
        { "Rss", offsetof(struct ml_smaps, rss_kb) },
        { "Pss", offsetof(struct ml_smaps, pss_kb) },
        { "Shared_Clean", offsetof(struct ml_smaps, shared_clean_kb) },
        { "Shared_Dirty", offsetof(struct ml_smaps, shared_dirty_kb) },
        { "Private_Clean", offsetof(struct ml_smaps, private_clean_kb) },
        { "Private_Dirty", offsetof(struct ml_smaps, private_dirty_kb) },
        { "Swap", offsetof(struct ml_smaps, swap_kb) },
    };
    /* A field is "Name:" with no space in the name; a maps header line has
     * a space (or a '-') before any colon. */
    size_t klen = strcspn(line, ": \t-\n");
    if (klen == 0 || line[klen] != ':')
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strlen(keys[i].key) == klen &&
            strncmp(line, keys[i].key, klen) == 0) {
            long long v = strtoll(line + klen + 1, NULL, 10);
            *(long long *)((char *)s + keys[i].off) = v;
            break;
        }
    }
    return 1;
}

static void proc_path(char *out, size_t n, pid_t pid, const char *what)
{
    if (pid == 0)
        snprintf(out, n, "/proc/self/%s", what);
    else
        snprintf(out, n, "/proc/%ld/%s", (long)pid, what);
}

int ml_smaps_at(pid_t pid, unsigned long addr, struct ml_smaps *s,
                struct ml_maps_line *m)
{
    char path[64], line[4200];
    struct ml_maps_line cur;
    bool inside = false, found = false;

    proc_path(path, sizeof path, pid, "smaps");
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    memset(s, 0, sizeof *s);
    while (fgets(line, sizeof line, f) != NULL) {
        if (ml_smaps_field(line, s) == 1) {
            continue;
        }
        if (inside) {          /* the next block starts: ours is complete */
            found = true;
            break;
        }
        if (ml_maps_parse(line, &cur) == 0 && addr >= cur.start &&
            addr < cur.end) {
            inside = true;
            memset(s, 0, sizeof *s);
            if (m)
                *m = cur;
        } else {
            memset(s, 0, sizeof *s);
        }
    }
    if (inside)
        found = true;
    fclose(f);
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

/* One 64-bit entry of a /proc table at index; ENXIO past its end. */
static int entry_at(int fd, uint64_t index, uint64_t *e)
{
    ssize_t n = pread(fd, e, sizeof *e, (off_t)(index * sizeof *e));

    if (n == (ssize_t)sizeof *e)
        return 0;
    if (n >= 0)
        errno = n == 0 ? ENXIO : EIO;
    return -1;
}

/* fn on the /proc file path, opened for it and closed after. */
static int with_file(const char *path, int (*fn)(int fd, uint64_t arg, void *out),
                     uint64_t arg, void *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    int r = fn(fd, arg, out);
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}

int ml_pagemap_read(int fd, unsigned long vaddr, struct ml_pagemap *pm)
{
    uint64_t e;
    long psz = sysconf(_SC_PAGESIZE);

    if (entry_at(fd, vaddr / (unsigned long)psz, &e) == -1) {
        if (errno == ENXIO)
            errno = ESRCH;      /* pagemap reads nothing once the process exits */
        return -1;
    }
    pm->present = e >> 63 & 1;
    pm->swapped = e >> 62 & 1;
    pm->file_shared = e >> 61 & 1;
    pm->exclusive = e >> 56 & 1;
    pm->soft_dirty = e >> 55 & 1;
    pm->pfn = pm->present ? e & ((UINT64_C(1) << 55) - 1) : 0;
    return 0;
}

static int pagemap_fn(int fd, uint64_t vaddr, void *pm)
{
    return ml_pagemap_read(fd, (unsigned long)vaddr, pm);
}

int ml_pagemap_at(pid_t pid, unsigned long vaddr, struct ml_pagemap *pm)
{
    char path[64];

    proc_path(path, sizeof path, pid, "pagemap");
    return with_file(path, pagemap_fn, vaddr, pm);
}

int ml_pages_any(int pagemap_fd, unsigned long start, unsigned long end,
                 bool *any)
{
    struct page_region r;
    struct pm_scan_arg a;

    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.start = start;
    a.end = end;
    a.vec = (uint64_t)(uintptr_t)&r;
    a.vec_len = 1;
    a.max_pages = 1;
    a.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
    a.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
    int n = ioctl(pagemap_fd, PAGEMAP_SCAN, &a);
    if (n < 0)
        return -1;
    *any = n > 0;
    return 0;
}

int ml_kpagecount_read(int fd, uint64_t pfn, uint64_t *count)
{
    return entry_at(fd, pfn, count);
}

static int kpagecount_fn(int fd, uint64_t pfn, void *count)
{
    return ml_kpagecount_read(fd, pfn, count);
}

int ml_kpagecount(uint64_t pfn, uint64_t *count)
{
    return with_file("/proc/kpagecount", kpagecount_fn, pfn, count);
}

bool ml_has_cap(int cap)
{
    /* Read the effective set from /proc rather than link libcap. */
    char line[256];
    bool yes = false;
    FILE *f;

    if (cap < 0 || cap > 63)
        return false;
    f = fopen("/proc/self/status", "re");
    if (f == NULL)
        return false;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long eff;
        if (sscanf(line, "CapEff: %llx", &eff) == 1) {
            yes = eff >> cap & 1;
            break;
        }
    }
    fclose(f);
    return yes;
}

bool ml_frames_visible(void)
{
    return ml_has_cap(CAP_SYS_ADMIN);
}

bool ml_may_mount(void)
{
    return ml_has_cap(CAP_SYS_ADMIN);
}

bool ml_is_mount_point(const char *path)
{
    /* Field 5 of each line is the mount point, relative to this process's
     * root, with space, tab, newline and backslash written as octal. */
    char line[4096], point[4096], want[4096];
    size_t n = 0;
    bool yes = false;
    FILE *f;

    for (const char *c = path; *c != '\0' && n + 5 < sizeof want; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\\')
            n += (size_t)snprintf(want + n, sizeof want - n, "\\%03o", (unsigned char)*c);
        else
            want[n++] = *c;
    }
    want[n] = '\0';
    f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return false;
    while (!yes && fgets(line, sizeof line, f) != NULL)
        yes = sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && strcmp(point, want) == 0;
    fclose(f);
    return yes;
}

void ml_faults(long *minor, long *major)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *minor = ru.ru_minflt;
    *major = ru.ru_majflt;
}

static bool denied(int err)
{
    return err == EACCES || err == EPERM;
}

/* The files one process maps; false when it has no address space (a
 * kernel thread, a zombie) or its maps could not be read (*hidden says
 * whether it was refused). */
static bool scan_maps(const struct ml_proc_visit *v, int piddir, pid_t pid, bool *hidden)
{
    static struct ml_maps_line m;      /* 4 KiB of path: not on the stack */
    char line[4400];
    bool any = false;
    int fd = openat(piddir, "maps", O_RDONLY | O_CLOEXEC);
    FILE *f = fd == -1 ? NULL : fdopen(fd, "re");

    if (f == NULL) {
        *hidden = denied(errno);
        if (fd != -1)
            close(fd);
        return *hidden;               /* refused: still look at its descriptors */
    }
    while (fgets(line, sizeof line, f) != NULL) {
        any = true;
        if (ml_maps_parse(line, &m) == 0 && m.ino != 0)
            v->uses(v->ctx, pid, makedev(m.dev_major, m.dev_minor), (ino_t)m.ino, true);
    }
    fclose(f);
    return any;
}

/* The files one process holds open: stat(2) of a /proc/PID/fd entry
 * describes the file it is open on. */
static void scan_fds(const struct ml_proc_visit *v, int piddir, pid_t pid, bool *hidden)
{
    struct dirent *d;
    struct stat st;
    int fd = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd == -1 ? NULL : fdopendir(fd);

    if (dir == NULL) {
        *hidden = *hidden || denied(errno);
        if (fd != -1)
            close(fd);
        return;
    }
    while ((d = readdir(dir)) != NULL)
        if (d->d_name[0] != '.' && fstatat(fd, d->d_name, &st, 0) == 0)
            v->uses(v->ctx, pid, st.st_dev, st.st_ino, false);
    closedir(dir);
}

int ml_proc_scan(const struct ml_proc_visit *v)
{
    struct dirent *d;
    pid_t self = getpid();
    DIR *proc = opendir("/proc");

    if (proc == NULL)
        return -1;
    while ((d = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(d->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == (long)self)
            continue;
        int piddir = openat(dirfd(proc), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (piddir == -1)
            continue;                 /* gone */
        bool hidden = false;
        if (scan_maps(v, piddir, (pid_t)pid, &hidden))
            scan_fds(v, piddir, (pid_t)pid, &hidden);
        if (hidden && v->hidden != NULL)
            v->hidden(v->ctx, (pid_t)pid, piddir);
        close(piddir);
    }
    closedir(proc);
    return 0;
}

/* ml_users_of's count: each process once, as a mapper or else a holder. */
struct users_count {
    dev_t dev;
    ino_t ino;
    struct ml_users *u;
    pid_t pid;                 /* the process last counted */
};

static void count_user(void *ctx, pid_t pid, dev_t dev, ino_t ino, bool mapped)
{
    struct users_count *c = ctx;

    if (dev != c->dev || ino != c->ino)
        return;
    if (pid == c->pid)                /* counted already: its maps come first */
        return;
    c->pid = pid;
    if (!mapped)
        c->u->holders++;
    else if (c->u->mappers++ == 0)
        c->u->mapper = pid;
}

int ml_users_of(dev_t dev, ino_t ino, struct ml_users *u)
{
    struct users_count c = { .dev = dev, .ino = ino, .u = u };
    struct ml_proc_visit v = { .uses = count_user, .ctx = &c };

    memset(u, 0, sizeof *u);
    return ml_proc_scan(&v);
}
