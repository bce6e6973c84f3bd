/* clean.c — `mmaplab clean`: list and remove leftover mmaplab objects.
 *
 *   mmaplab-clean [--dry-run] [--all-users] [--user NAME] [--force]
 *   mmaplab-clean --escape TEXT...     each TEXT escaped, one a line
 *
 * Installed beside the programs; the front door (tools/mmaplab.sh) runs
 * it, and prints its own words about names through --escape, so that the
 * shell and the programs escape the same way (ml_escape).
 *
 * Why C and not the shell: an object is in use when some process maps it
 * (/proc/PID/maps) or holds it open (/proc/PID/fd); a name there is not a
 * safe key (the kernel shows a newline in a path as \012 and appends
 * " (deleted)", and a name may hold any byte but '/' and NUL), so an
 * object is matched by its device and inode, exactly.  /proc is read once
 * for all the objects.  A process whose maps or descriptors cannot be read
 * (another user's, for anyone but root) is counted, and an object such a
 * process could have opened is kept unless --force says otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "mmaplab.h"
#include "pages.h"

#define ME "mmaplab"

struct object {
    char name[256];           /* as in the directory: no leading '/' */
    char shown[1100];         /* "/name", escaped */
    struct stat st;
    pid_t users[8];           /* the first few pids that use it */
    int nusers;
    bool uncertain;           /* a process we could not inspect could open it */
};

/* The credentials of a process whose maps or descriptors were hidden. */
struct hidden {
    uid_t uid;
    gid_t gids[33];
    int ngids;
};

static struct object *objs;
static size_t nobjs;
static struct hidden *hid;
static size_t nhid, hid_root;

/* Room for one more after n: the capacity doubles whenever n reaches a
 * power of two. */
static void *grow(void *v, size_t n, size_t size)
{
    if (n != 0 && (n & (n - 1)) != 0)
        return v;
    void *w = realloc(v, (n ? n * 2 : 1) * size);
    if (w == NULL) {
        fprintf(stderr, ME ": clean: out of memory; nothing more was done\n");
        exit(1);
    }
    return w;
}

static bool wanted_name(const char *name, const char *extra)
{
    return strncmp(name, "MyFileMappingObject", 19) == 0 ||
           strncmp(name, "mmaplab", 7) == 0 ||
           (extra != NULL && extra[0] != '\0' && strcmp(name, extra) == 0);
}

static void note_user(struct object *o, pid_t pid)
{
    for (int i = 0; i < o->nusers && i < 8; i++)
        if (o->users[i] == pid)
            return;
    if (o->nusers < 8)
        o->users[o->nusers] = pid;
    o->nusers++;
}

static void match(dev_t dev, ino_t ino, pid_t pid)
{
    for (size_t i = 0; i < nobjs; i++)
        if (objs[i].st.st_ino == ino && objs[i].st.st_dev == dev)
            note_user(&objs[i], pid);
}

/* Returns 0, or -1 with errno when the file could not be read. */
static int read_all(int dirfd, const char *path, char **buf, size_t *cap, size_t *n)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    *n = 0;
    for (;;) {
        if (*cap - *n < 4096) {
            char *b = realloc(*buf, *cap ? *cap * 2 : 65536);
            if (b == NULL) {
                close(fd);
                errno = ENOMEM;
                return -1;
            }
            *buf = b;
            *cap = *cap ? *cap * 2 : 65536;
        }
        ssize_t r = read(fd, *buf + *n, *cap - *n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        *n += (size_t)r;
    }
    close(fd);
    return 0;
}

static bool denied(int err)
{
    return err == EACCES || err == EPERM;
}

/* The credentials a hidden process opens files with (status is readable
 * by anyone). */
static void note_hidden(int piddir)
{
    char *buf = NULL;
    size_t cap = 0, n;
    struct hidden h = { .uid = (uid_t)-1 };

    if (read_all(piddir, "status", &buf, &cap, &n) == 0) {
        buf[n < cap ? n : cap - 1] = '\0';
        const char *u = strstr(buf, "\nUid:");
        const char *g = strstr(buf, "\nGid:");
        const char *gs = strstr(buf, "\nGroups:");
        unsigned long r, e, s, fs;
        if (u && sscanf(u + 5, "%lu %lu %lu %lu", &r, &e, &s, &fs) == 4)
            h.uid = (uid_t)fs;
        if (g && sscanf(g + 5, "%lu %lu %lu %lu", &r, &e, &s, &fs) == 4)
            h.gids[h.ngids++] = (gid_t)fs;
        if (gs) {
            char *q = (char *)gs + 8, *qe;
            unsigned long v;
            while (h.ngids < 33 && (v = strtoul(q, &qe, 10), qe != q) && *q != '\n') {
                h.gids[h.ngids++] = (gid_t)v;
                q = qe;
            }
        }
    }
    free(buf);
    hid = grow(hid, nhid, sizeof *hid);
    hid[nhid++] = h;
    if (h.uid == 0)
        hid_root++;
}

static void uses(void *ctx, pid_t pid, dev_t dev, ino_t ino, bool mapped)
{
    (void)ctx;
    (void)mapped;
    match(dev, ino, pid);
}

static void hidden_proc(void *ctx, pid_t pid, int piddir)
{
    (void)ctx;
    (void)pid;
    note_hidden(piddir);
}

/* One pass over /proc: every process's mappings and descriptors. */
static void scan_proc(void)
{
    struct ml_proc_visit v = { .uses = uses, .hidden = hidden_proc };

    if (ml_proc_scan(&v) == -1) {
        fprintf(stderr, ME ": clean: cannot read /proc (%s): no object can be "
                "checked, so none is removed\n", strerror(errno));
        exit(1);
    }
}

/* Could a process with these credentials open the object, by its mode?
 * Root's processes are left out: root can open any object, so counting
 * them would keep every object on every machine (the note says so). */
static bool could_open(const struct hidden *h, const struct stat *st)
{
    mode_t m = st->st_mode;

    if (h->uid == (uid_t)-1)
        return true;                  /* its status was not readable either */
    if (h->uid == 0)
        return false;
    if (h->uid == st->st_uid)
        return (m & (S_IRUSR | S_IWUSR)) != 0;
    for (int i = 0; i < h->ngids; i++)
        if (h->gids[i] == st->st_gid)
            return (m & (S_IRGRP | S_IWGRP)) != 0;
    return (m & (S_IROTH | S_IWOTH)) != 0;
}

static void describe(const struct object *o, char *out, size_t outsz)
{
    struct passwd *pw = getpwuid(o->st.st_uid);
    char when[32], owner[300];
    struct tm tm;

    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S",
             localtime_r(&o->st.st_ctime, &tm));
    if (pw)
        ml_format(owner, sizeof owner, "%s", pw->pw_name);
    else
        snprintf(owner, sizeof owner, "uid %ld", (long)o->st.st_uid);
    snprintf(out, outsz, "%s, %lld bytes, changed %s", owner,
             (long long)o->st.st_size, when);
}

static void users_text(const struct object *o, char *out, size_t outsz)
{
    size_t k = (size_t)snprintf(out, outsz, "in use by pid");
    for (int i = 0; i < o->nusers && i < 8 && k < outsz; i++)
        k += (size_t)snprintf(out + k, outsz - k, "%s %ld", i ? "," : "",
                              (long)o->users[i]);
    if (o->nusers > 8 && k < outsz)
        snprintf(out + k, outsz - k, " and %d more", o->nusers - 8);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct object *)a)->name, ((const struct object *)b)->name);
}

static int usage_error(const char *fmt, const char *arg)
{
    char msg[1400];

    ml_format(msg, sizeof msg, fmt, arg);
    fprintf(stderr, ME ": clean: %s\n"
            "Usage: " ME " clean [--dry-run] [--all-users] [--user NAME] [--force]\n"
            "Nothing was done.\n", msg);
    return 2;
}

int main(int argc, char *argv[])
{
    bool dry = false, all = false, force = false;
    const char *only_user = NULL;
    uid_t only_uid = 0;
    char again[600] = ME " clean";       /* the command that would remove */

    if (argc >= 2 && strcmp(argv[1], "--escape") == 0) {
        for (int i = 2; i < argc; i++) {
            char out[4200];
            ml_format(out, sizeof out, "%s", argv[i]);
            printf("%s\n", out);
        }
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-n") == 0 || strcmp(a, "--dry-run") == 0)
            dry = true;
        else if (strcmp(a, "-a") == 0 || strcmp(a, "--all-users") == 0)
            all = true;
        else if (strcmp(a, "-f") == 0 || strcmp(a, "--force") == 0)
            force = true;
        else if (strcmp(a, "-u") == 0 || strcmp(a, "--user") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a user name", a);
            only_user = argv[++i];
            struct passwd *pw = getpwnam(only_user);
            if (pw == NULL)
                return usage_error("there is no user '%s' (getent passwd lists them)",
                                   only_user);
            only_uid = pw->pw_uid;
            all = true;
            char u[400];
            ml_format(u, sizeof u, "%s", only_user);
            snprintf(again + strlen(again), sizeof again - strlen(again),
                     " --user %s", u);
        } else {
            return usage_error("unknown option '%s' (see " ME " --help)", a);
        }
    }

    if (all && only_user == NULL)
        strcat(again, " --all-users");
    if (force)
        strcat(again, " --force");

    const char *shm = getenv("MMAPLAB_SHM_DIR");
    if (shm == NULL || shm[0] == '\0')
        shm = "/dev/shm";
    const char *extra = getenv("MMAPLAB_NAME");
    if (extra && extra[0] == '/')
        extra++;
    uid_t me = geteuid();
    char shm_shown[4200];
    ml_format(shm_shown, sizeof shm_shown, "%s", shm);

    int dfd = open(shm, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd == -1 ? NULL : fdopendir(dfd);
    if (d == NULL) {
        fprintf(stderr, ME ": clean: cannot read %s (%s); nothing was done\n",
                shm_shown, strerror(errno));
        return 1;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (!wanted_name(de->d_name, extra) || strlen(de->d_name) > 255)
            continue;
        /* lstat: a link someone left in the directory is not an object */
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
            !S_ISREG(st.st_mode))
            continue;
        if (only_user ? st.st_uid != only_uid : !all && st.st_uid != me)
            continue;
        objs = grow(objs, nobjs, sizeof *objs);
        struct object *o = &objs[nobjs++];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", de->d_name);
        ml_format(o->shown, sizeof o->shown, "/%s", de->d_name);
        o->st = st;
    }

    char scope[400];
    if (only_user)
        ml_format(scope, sizeof scope, "owned by %s", only_user);
    else if (all)
        snprintf(scope, sizeof scope, "of any user");
    else
        snprintf(scope, sizeof scope, "of yours");
    if (nobjs == 0) {
        printf("no mmaplab objects %s in %s\n", scope, shm_shown);
        closedir(d);
        return 0;
    }
    qsort(objs, nobjs, sizeof *objs, by_name);
    scan_proc();
    for (size_t i = 0; i < nobjs; i++)
        for (size_t h = 0; h < nhid; h++)
            if (could_open(&hid[h], &objs[i].st))
                objs[i].uncertain = true;

    int removed = 0, kept_used = 0, kept_unsure = 0, failed = 0;
    for (size_t i = 0; i < nobjs; i++) {
        struct object *o = &objs[i];
        char info[400], why[300] = "";
        describe(o, info, sizeof info);
        bool keep = false;
        if (o->nusers > 0) {
            users_text(o, why, sizeof why);
            keep = !force;
            kept_used += keep;
        } else if (o->uncertain) {
            snprintf(why, sizeof why, "may be in use: a process that could open "
                     "it could not be inspected");
            keep = !force;
            kept_unsure += keep;
        }
        const char *sep = why[0] ? "; " : "";
        if (dry) {
            printf("  %s %s  (%s%s%s)\n", keep ? "would keep  " : "would remove",
                   o->shown, info, sep, why);
            if (!keep)
                removed++;
            continue;
        }
        if (keep) {
            printf("  kept     %s  (%s%s%s; --force removes it anyway)\n", o->shown,
                   info, sep, why);
            continue;
        }
        /* The name may have been replaced since it was looked at: remove
         * only the object that was checked. */
        struct stat now;
        if (fstatat(dfd, o->name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
            (now.st_ino != o->st.st_ino || now.st_dev != o->st.st_dev)) {
            printf("  skipped  %s  (it was replaced while clean ran; run clean again)\n",
                   o->shown);
            continue;
        }
        if (unlinkat(dfd, o->name, 0) == 0) {
            printf("  removed  %s  (%s%s%s)\n", o->shown, info, sep, why);
            removed++;
        } else if (errno == ENOENT) {
            printf("  gone     %s  (someone else removed it meanwhile)\n", o->shown);
        } else {
            printf("  FAILED   %s  (%s): %s%s\n", o->shown, info, strerror(errno),
                   denied(errno) ? ": only its owner or root can remove it" : "");
            failed++;
        }
    }
    closedir(d);

    if (nhid > 0) {
        printf("note: %zu process%s could not be inspected (%s)", nhid,
               nhid == 1 ? "" : "es", me == 0
               ? "the kernel refused even root their mappings or descriptors"
               : "other users': only root can read their mappings and descriptors");
        if (hid_root > 0)
            printf("; %zu of them run%s as root, which can open any object but "
                   "is not counted as using one", hid_root, hid_root == 1 ? "s" : "");
        printf(".\n");
        if (kept_unsure > 0)
            printf("  An object one of them could open (its mode lets them) is "
                   "kept: --force removes it anyway; run clean as root to look "
                   "at every process.\n");
    }
    size_t kept = (size_t)(kept_used + kept_unsure);
    if (dry) {
        printf("%zu object%s %s: %d would be removed, %zu kept (%d in use, %d "
               "maybe in use)", nobjs, nobjs == 1 ? "" : "s", scope, removed,
               kept, kept_used, kept_unsure);
        if (removed > 0)
            printf("; run '%s' to remove %s", again, removed == 1 ? "it" : "them");
        printf("\n");
        return 0;
    }
    printf("%d removed, %zu kept (%d in use, %d maybe in use), %d could not be "
           "removed\n", removed, kept, kept_used, kept_unsure, failed);
    return failed == 0 ? 0 : 1;
}
