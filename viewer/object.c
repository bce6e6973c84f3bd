/* object.c — which object the name leads to, and when to let go of it.
 *
 * The object is keyed on device:inode, not on its name: each sample stats
 * the name, and ENOENT means unlinked, another inode means replaced.  The
 * model holds a read-only descriptor while the name exists, and after that
 * only while other processes still map or hold the object (the /proc scan
 * says which): an unlinked object whose last user was this viewer would
 * otherwise live on because it is being watched.
 */
#include "object.h"
#include "residency.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static const char *obj_kind(mode_t mode)
{
    return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO (named pipe)"
         : S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device"
         : S_ISSOCK(mode) ? "a socket" : S_ISLNK(mode) ? "a symbolic link"
         : S_ISREG(mode) ? "a regular file" : "not a regular file";
}

/* Why the name cannot be shown: it leads to st, which is not a regular
 * file.  A link in /dev/shm is named as one: nobody follows it. */
static void not_shown(struct mv_snapshot *s, const struct stat *st)
{
    char user[64];
    struct passwd pw, *r = NULL;
    char tmp[1024];

    if (getpwuid_r(st->st_uid, &pw, tmp, sizeof tmp, &r) == 0 && r != NULL)
        snprintf(user, sizeof user, "%s", r->pw_name);
    else
        snprintf(user, sizeof user, "uid %ld", (long)st->st_uid);
    if (s->kind == MV_SHM && S_ISLNK(st->st_mode))
        snprintf(s->obj.note, sizeof s->obj.note, "%.90s is a symbolic link made "
                 "by %.32s, not a shared memory object: shm_open never follows "
                 "one, nor does mmapview", s->path, user);
    else
        snprintf(s->obj.note, sizeof s->obj.note, "the path leads to %s (owned "
                 "by %.32s), not a regular file: there are no pages to show",
                 obj_kind(st->st_mode), user);
}

int obj_resolve(struct obj_part *m, struct mv_snapshot *s, const struct mv_config *cfg,
                char *why, size_t whysz)
{
    const char *t = cfg->target;

    if (t == NULL || t[0] == '\0') {
        /* MMAPLAB_NAME is a shared memory name, as for the programs, which
         * refuse anything else: never taken for a file's path. */
        t = getenv("MMAPLAB_NAME");
        if (t != NULL && t[0] != '\0' && ml_check_name(t, why, whysz) == -1) {
            size_t len = strlen(why);
            snprintf(why + len, whysz - len, " (from MMAPLAB_NAME)");
            return -1;
        }
    }
    if (t == NULL || t[0] == '\0')
        t = "/MyFileMappingObject";
    if (strlen(t) >= sizeof s->target) {
        snprintf(why, whysz, "the target is %zu characters long; a path has "
                 "at most %zu", strlen(t), sizeof s->target - 1);
        return -1;
    }
    snprintf(s->target, sizeof s->target, "%s", t);

    /* mmapview(1): exactly one slash, at the start, is a shared memory name;
     * anything else is a file. */
    if (!cfg->force_file && t[0] == '/' && strchr(t + 1, '/') == NULL) {
        if (ml_check_name(t, why, whysz) == -1)
            return -1;
        s->kind = MV_SHM;
        snprintf(s->path, sizeof s->path, "%s%s", m->shm_dir, t);
    } else {
        s->kind = MV_FILE;
        snprintf(s->path, sizeof s->path, "%s", t);
        /* A file target that is there already must be a regular file: a
         * directory, FIFO or device has no pages to show (and a FIFO would
         * make the open wait). */
        struct stat st;
        if (stat(t, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(why, whysz, "%s is %s: mmapview shows a regular file or a "
                     "shared memory object, and cannot show %s; give the path "
                     "of a regular file", t, obj_kind(st.st_mode),
                     obj_kind(st.st_mode));
            return -1;
        }
    }
    return 0;
}

static void fs_name(int fd, const char *path, struct mv_object *o)
{
    static const struct { unsigned long magic; const char *name; } fs[] = {
        { 0x01021994, "tmpfs" },  { 0xEF53, "ext4" },
        { 0x58465342, "xfs" },    { 0x9123683E, "btrfs" },
        { 0x794C7630, "overlay" },{ 0x6969, "nfs" },
        { 0x2FC12FC1, "zfs" },    { 0x65735546, "fuse" },
        { 0x4d44, "vfat" },       { 0x858458f6, "ramfs" },
        { 0x9fa0, "proc" },       { 0x62656572, "sysfs" },
        { 0x01021997, "9p" },     { 0xF2F52010, "f2fs" },
        { 0x5346544e, "ntfs" },   { 0x73717368, "squashfs" },
    };
    struct statfs sf;
    int r = fd >= 0 ? fstatfs(fd, &sf) : statfs(path, &sf);

    o->on_tmpfs = false;
    snprintf(o->fs, sizeof o->fs, "?");
    if (r == -1)
        return;
    o->on_tmpfs = (unsigned long)sf.f_type == 0x01021994;
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        if ((unsigned long)sf.f_type == fs[i].magic) {
            snprintf(o->fs, sizeof o->fs, "%s", fs[i].name);
            return;
        }
    }
    snprintf(o->fs, sizeof o->fs, "0x%lx", (unsigned long)sf.f_type);
}

static void take_stat(struct mv_snapshot *s, const struct stat *st)
{
    struct mv_object *o = &s->obj;

    o->dev = st->st_dev;
    o->ino = st->st_ino;
    o->nlink = st->st_nlink;
    o->uid = st->st_uid;
    o->gid = st->st_gid;
    o->mode = st->st_mode;
    o->size = st->st_size;
    o->pages = mv_count_pages(st->st_size, s->page_size);
}

unsigned obj_forget(struct obj_part *m, struct mv_snapshot *s)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
    ps_free(&s->procs);
    memset(&s->obj, 0, sizeof s->obj);
    return OBJ_FORGOT;
}

/* Start following the object the name leads to (st: its stat). */
static unsigned adopt(struct obj_part *m, struct mv_snapshot *s, const struct stat *st)
{
    struct stat fst;
    int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
    unsigned what = obj_forget(m, s);

    /* shm_open does not follow links in /dev/shm; neither does this. */
    if (s->kind == MV_SHM)
        flags |= O_NOFOLLOW;
    m->fd = open(s->path, flags);
    if (m->fd >= 0 && (fstat(m->fd, &fst) == -1 || !S_ISREG(fst.st_mode))) {
        close(m->fd);
        m->fd = -1;
    }
    s->obj.tracked = true;
    if (m->fd >= 0) {
        take_stat(s, &fst);
        s->obj.readable = true;
        m->trusted = res_trusted(m->fd, &fst);
        m->trusted_uid = fst.st_uid;
        m->trusted_mode = fst.st_mode;
    } else {
        int err = errno;
        take_stat(s, st);
        s->obj.readable = false;
        snprintf(s->obj.note, sizeof s->obj.note,
                 "cannot open it to read (%s): only what stat and /proc show",
                 strerror(err));
    }
    fs_name(m->fd, s->path, &s->obj);
    m->ever_tracked = true;
    s->state = MV_LIVE;
    return what | OBJ_ADOPTED | OBJ_SCAN;
}

static bool same_object(const struct mv_object *o, const struct stat *st)
{
    return o->dev == st->st_dev && o->ino == st->st_ino;
}

unsigned obj_sample(struct obj_part *m, struct mv_snapshot *s)
{
    struct sysinfo si;
    m->swap = sysinfo(&si) != 0 || si.totalswap > 0;

    unsigned what = 0;
    struct mv_object *o = &s->obj;
    struct stat ns;
    int r = s->kind == MV_SHM ? lstat(s->path, &ns) : stat(s->path, &ns);
    int err = r == 0 ? 0 : errno;
    bool named = r == 0 && S_ISREG(ns.st_mode);

    if (r == 0 && !S_ISREG(ns.st_mode) && !o->tracked)
        not_shown(s, &ns);
    else if (!o->tracked)
        o->note[0] = '\0';

    if (!o->tracked) {
        if (named)
            what |= adopt(m, s, &ns);
        else if (s->state != MV_FREED)
            s->state = MV_WAITING;
        if (!named && err != 0 && err != ENOENT)
            snprintf(o->note, sizeof o->note, "cannot stat the path: %s",
                     strerror(err));
        return what;
    }

    if (m->fd >= 0) {
        struct stat fst;
        if (fstat(m->fd, &fst) == 0) {
            if (fst.st_size != o->size)
                what |= OBJ_RESIZED;      /* look at every page again */
            take_stat(s, &fst);
            if (fst.st_uid != m->trusted_uid || fst.st_mode != m->trusted_mode) {
                m->trusted = res_trusted(m->fd, &fst);
                m->trusted_uid = fst.st_uid;
                m->trusted_mode = fst.st_mode;
            }
        }
    } else if (named && same_object(o, &ns)) {
        take_stat(s, &ns);
    }

    enum mv_state was = s->state;
    if (named && same_object(o, &ns)) {
        s->state = MV_LIVE;
        o->name_ino = 0;
    } else if (named) {
        s->state = MV_REPLACED;
        o->name_ino = ns.st_ino;
    } else if (err == ENOENT || r == 0) {
        s->state = MV_UNLINKED;
        if (m->fd < 0)
            o->nlink = 0;
    }
    /* Otherwise (EACCES on the directory, say) the state stays. */
    if (s->state != was)
        what |= OBJ_SCAN;
    return what;
}

unsigned obj_after_scan(struct obj_part *m, struct mv_snapshot *s)
{
    const struct mv_procs *p = &s->procs;

    if (!s->obj.tracked || (s->state != MV_UNLINKED && s->state != MV_REPLACED))
        return 0;
    if (p->mappers + p->holders > 0)
        return 0;
    /* Nobody else is seen using it.  Processes that could not be inspected
     * might; holding on would still risk being the last user, so let go
     * and say so. */
    int hidden = p->hidden;
    enum mv_state was = s->state;
    unsigned what = obj_forget(m, s);
    s->state = MV_FREED;
    if (was == MV_REPLACED) {
        what |= obj_sample(m, s); /* follow what the name leads to now */
    } else if (hidden > 0) {
        snprintf(s->obj.note, sizeof s->obj.note,
                 "let go: no process seen using it, but %d could not be "
                 "inspected", hidden);
    }
    return what;
}
