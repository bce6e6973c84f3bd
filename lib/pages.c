/* pages.c — /proc maps, smaps, pagemap and kpagecount, read from outside. */
#include "pages.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int ml_maps_parse(const char *line, struct ml_maps_line *m)
{
    int pos = 0;

    memset(m, 0, sizeof *m);
    if (sscanf(line, "%lx-%lx %4s %llx %x:%x %llu%n", &m->start, &m->end,
               m->perms, &m->offset, &m->dev_major, &m->dev_minor, &m->ino,
               &pos) != 7)
        return -1;
    if (strlen(m->perms) != 4 || m->end < m->start)
        return -1;
    const char *p = line + pos;
    while (*p == ' ' || *p == '\t')
        p++;
    /* The path runs to the end of the line, spaces and all. */
    size_t n = strcspn(p, "\n");
    if (n >= sizeof m->path)
        n = sizeof m->path - 1;
    memcpy(m->path, p, n);
    m->path[n] = '\0';
    static const char del[] = " (deleted)";
    size_t dl = sizeof del - 1;
    if (n >= dl && strcmp(m->path + n - dl, del) == 0) {
        m->deleted = true;
        m->path[n - dl] = '\0';
    }
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
    size_t klen = strcspn(line, ": \t-");
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

int ml_pagemap_at(pid_t pid, unsigned long vaddr, struct ml_pagemap *pm)
{
    char path[64];
    uint64_t e;
    long psz = sysconf(_SC_PAGESIZE);

    proc_path(path, sizeof path, pid, "pagemap");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    ssize_t n = pread(fd, &e, sizeof e, (off_t)(vaddr / (unsigned long)psz * sizeof e));
    int saved = errno;
    close(fd);
    if (n != (ssize_t)sizeof e) {
        errno = n == -1 ? saved : EIO;
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

int ml_kpagecount(uint64_t pfn, uint64_t *count)
{
    int fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    ssize_t n = pread(fd, count, sizeof *count, (off_t)(pfn * sizeof *count));
    int saved = errno;
    close(fd);
    if (n != (ssize_t)sizeof *count) {
        errno = n == -1 ? saved : EIO;
        return -1;
    }
    return 0;
}

bool ml_frames_visible(void)
{
    /* Capability bit 21 is CAP_SYS_ADMIN; read it from /proc rather than
     * link libcap. */
    char line[256];
    bool yes = false;
    FILE *f = fopen("/proc/self/status", "re");
    if (f == NULL)
        return false;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long eff;
        if (sscanf(line, "CapEff: %llx", &eff) == 1) {
            yes = eff >> 21 & 1;
            break;
        }
    }
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
