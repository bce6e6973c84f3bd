/* test_model_live.c — the viewer's model on live objects: residency of
 * pages a child touched, the mincore lie (as nobody), truncation and growth
 * between samples, unlink, replace, letting go, contents and changes, holes
 * and disk pages left alone, readahead marks not followed, a file
 * shrinking under the reader, search, and frames with and without
 * CAP_SYS_ADMIN.
 *
 * Objects are named $MMAPLAB_TEST_PREFIX-model-N (tests/run.sh counts any
 * left behind); each test's teardown unlinks its objects and ends its
 * children, failed or not.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "residency.h"

#define CHILD_CHECK(cond)                                                    \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "child check failed, line %d: %s\n", __LINE__,   \
                    #cond);                                                  \
            _exit(99);                                                       \
        }                                                                    \
    } while (0)

static long psz;
static int serial;

/* What a test made, for its teardown. */
static char names[8][256];
static int nnames;
struct kid {
    pid_t pid;
    int ctl;
};
static struct kid kids[8];
static int nkids;
static char files[4][4096];
static int nfiles;

static const char *new_name(void)
{
    const char *prefix = getenv("MMAPLAB_TEST_PREFIX");
    char *n = names[nnames++];

    if (prefix)
        snprintf(n, sizeof names[0], "/%s-model-%d", prefix, ++serial);
    else
        snprintf(n, sizeof names[0], "/mmaplab-unit-%ld-model-%d", (long)getpid(), ++serial);
    return n;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < nkids; i++) {
        if (kids[i].pid > 0) {
            kill(kids[i].pid, SIGKILL);
            waitpid(kids[i].pid, NULL, 0);
            close(kids[i].ctl);
        }
    }
    nkids = 0;
    for (int i = 0; i < nnames; i++)
        shm_unlink(names[i]);
    nnames = 0;
    for (int i = 0; i < nfiles; i++)
        unlink(files[i]);
    nfiles = 0;
    return 0;
}

/* A new object of npages pages, mode (not subject to the umask). */
static int make(const char *name, size_t npages, mode_t mode)
{
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, mode);
    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(ftruncate(fd, (off_t)npages * psz), 0);
    return fd;
}

/* Write c at the start of the pages marked '1' in which (page 0 first). */
static void write_pages(int fd, const char *which, char c)
{
    size_t n = strlen(which);
    char *p = mmap(NULL, n * (size_t)psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(p != MAP_FAILED);
    for (size_t i = 0; i < n; i++) {
        if (which[i] == '1')
            p[i * (size_t)psz] = c;
    }
    munmap(p, n * (size_t)psz);
}

enum how { MAP_READ, MAP_WRITE, MAP_PRIVATE_WRITE, FD_ONLY };

/* A child that opens name, maps it (or not), touches the pages marked '1',
 * then waits until end() closes its control pipe. */
static struct kid *spawn(const char *name, enum how how, const char *pages)
{
    int ready[2], ctl[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(ctl), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        close(ctl[1]);
        int fd = shm_open(name, O_RDWR, 0);
        CHILD_CHECK(fd >= 0);
        size_t n = strlen(pages);
        if (how != FD_ONLY) {
            int flags = how == MAP_PRIVATE_WRITE ? MAP_PRIVATE : MAP_SHARED;
            volatile char *p = mmap(NULL, n * (size_t)psz, PROT_READ | PROT_WRITE,
                                    flags, fd, 0);
            CHILD_CHECK(p != MAP_FAILED);
            for (size_t i = 0; i < n; i++) {
                if (pages[i] != '1')
                    continue;
                if (how == MAP_READ)
                    (void)p[i * (size_t)psz];
                else
                    p[i * (size_t)psz] = 'w';
            }
            close(fd);
        }
        CHILD_CHECK(write(ready[1], "k", 1) == 1);
        char c;
        while (read(ctl[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(ready[1]);
    close(ctl[0]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    kids[nkids] = (struct kid){ pid, ctl[1] };
    return &kids[nkids++];
}

static void end(struct kid *k)
{
    int st;
    close(k->ctl);
    assert_int_equal(waitpid(k->pid, &st, 0), k->pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    k->pid = 0;
}

static struct mv_model *model(const char *target)
{
    char why[256];
    struct mv_config cfg = { .target = target, .trace = "off" };
    struct mv_model *m = mv_model_new(&cfg, why, sizeof why);
    if (m == NULL)
        fail_msg("mv_model_new: %s", why);
    return m;
}

/* A model of name, after its first, full sample. */
static struct mv_model *watch(const char *name, const struct mv_snapshot **s)
{
    struct mv_model *m = model(name);
    *s = mv_model_snapshot(m);
    mv_model_sample(m, MV_FAST | MV_SLOW | MV_FULL);
    return m;
}

static void map_string(const struct mv_snapshot *s, char *out)
{
    size_t i = 0;
    for (; i < s->res.npages; i++)
        out[i] = s->res.map[i] == MV_PAGE_IN ? '1' : s->res.map[i] == MV_PAGE_OUT ? '0' : '?';
    out[i] = '\0';
}

#define ALL (MV_FAST | MV_SLOW)

static const struct mv_proc *find_proc(const struct mv_snapshot *s, pid_t pid)
{
    for (size_t i = 0; i < s->procs.n; i++) {
        if (s->procs.v[i].pid == pid)
            return &s->procs.v[i];
    }
    return NULL;
}

/* Does this process still refer to the object, by descriptor or mapping? */
static bool self_refers(const char *name)
{
    char want[300], link[4096], line[4400];
    snprintf(want, sizeof want, "/dev/shm%s", name);
    bool found = false;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        char p[300];
        snprintf(p, sizeof p, "/proc/self/fd/%s", de->d_name);
        ssize_t n = readlink(p, link, sizeof link - 1);
        if (n > 0) {
            link[n] = '\0';
            found = found || strncmp(link, want, strlen(want)) == 0;
        }
    }
    if (d)
        closedir(d);
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f) != NULL)
        found = found || strstr(line, want) != NULL;
    if (f)
        fclose(f);
    return found;
}

/* ---- the tests ---------------------------------------------------------- */

static void waiting_then_live(void **state)
{
    const char *name = new_name();
    struct mv_model *m = model(name);
    const struct mv_snapshot *s = mv_model_snapshot(m);
    (void)state;

    mv_model_sample(m, ALL | MV_FULL);
    assert_int_equal(s->state, MV_WAITING);
    assert_false(s->obj.tracked);
    int fd = make(name, 1, 0600);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->state, MV_LIVE);
    assert_int_equal(s->obj.pages, 1);
    assert_int_equal(s->res.source, MV_RES_MINCORE);
    assert_int_equal(s->res.count, 0);
    assert_true(s->procs.valid);          /* a new object is scanned at once */
    close(fd);
    mv_model_free(m);
}

static void residency_of_pages_a_child_touched(void **state)
{
    const char *name = new_name();
    char map[16];
    (void)state;

    int fd = make(name, 4, 0600);
    struct kid *k = spawn(name, MAP_WRITE, "1010");
    end(k);                               /* the pages stay in the object */
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    map_string(s, map);
    assert_string_equal(map, "1010");
    assert_int_equal(s->res.count, 2);
    assert_true(s->res.complete);
    assert_false(s->res.lie_seen);
    close(fd);
    mv_model_free(m);
}

static void mincore_lie_as_nobody(void **state)
{
    const char *name = new_name();
    char root_map[16], pipe_buf[64] = "";
    int p[2];
    (void)state;

    if (geteuid() != 0) {
        print_message("# SKIP needs root: to run the model as nobody on a root-owned object\n");
        skip();
    }
    struct passwd *nobody = getpwnam("nobody");
    if (nobody == NULL) {
        print_message("# SKIP no user 'nobody'\n");
        skip();
    }
    int fd = make(name, 4, 0644);
    write_pages(fd, "0101", 'x');
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    map_string(s, root_map);
    assert_string_equal(root_map, "0101");
    assert_int_equal(s->res.source, MV_RES_MINCORE);

    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        CHILD_CHECK(setgid(nobody->pw_gid) == 0 && setuid(nobody->pw_uid) == 0);
        /* First: the kernel does lie to this user, or the test shows nothing. */
        int rfd = open(s->path, O_RDONLY);
        CHILD_CHECK(rfd >= 0);
        void *q = mmap(NULL, 4 * (size_t)psz, PROT_NONE, MAP_SHARED, rfd, 0);
        CHILD_CHECK(q != MAP_FAILED);
        unsigned char vec[4];
        CHILD_CHECK(mincore(q, 4 * (size_t)psz, vec) == 0);
        char raw[8];
        for (int i = 0; i < 4; i++)
            raw[i] = vec[i] & 1 ? '1' : '0';
        raw[4] = '\0';
        munmap(q, 4 * (size_t)psz);
        close(rfd);
        struct mv_config cfg = { .target = name, .trace = "off" };
        char why[256], map[16];
        struct mv_model *cm = mv_model_new(&cfg, why, sizeof why);
        CHILD_CHECK(cm != NULL);
        mv_model_sample(cm, ALL | MV_FULL);
        const struct mv_snapshot *cs = mv_model_snapshot(cm);
        map_string(cs, map);
        dprintf(p[1], "%s %s %s", raw, map, mv_source_word(cs->res.source));
        _exit(0);
    }
    close(p[1]);
    ssize_t n = read(p[0], pipe_buf, sizeof pipe_buf - 1);
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_true(n > 0);
    pipe_buf[n] = '\0';
    char raw[16], map[16], source[32];
    assert_int_equal(sscanf(pipe_buf, "%15s %15s %31s", raw, map, source), 3);
    assert_string_equal(raw, "1111");     /* the lie itself */
    assert_string_equal(map, root_map);   /* the model did not believe it */
    assert_string_equal(source, "seek_data");
    close(fd);
    mv_model_free(m);
}

static void truncation_and_growth(void **state)
{
    const char *name = new_name();
    char map[16];
    (void)state;

    int fd = make(name, 4, 0600);
    write_pages(fd, "1111", 'a');
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    mv_model_select(m, 3);
    assert_true(s->page.valid);
    assert_int_equal(s->page.bytes[0], 'a');

    assert_int_equal(ftruncate(fd, psz + 10), 0);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->obj.size, psz + 10);
    assert_int_equal(s->obj.pages, 2);
    map_string(s, map);
    assert_string_equal(map, "11");
    assert_int_equal(s->page.index, 1);   /* the selection followed */
    assert_int_equal(s->page.len, 10);

    assert_int_equal(ftruncate(fd, 0), 0);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->obj.pages, 0);
    assert_int_equal(s->res.npages, 0);
    assert_false(s->page.valid);
    assert_int_equal(s->state, MV_LIVE);

    assert_int_equal(ftruncate(fd, 3 * psz), 0);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->obj.pages, 3);
    map_string(s, map);
    assert_string_equal(map, "000");      /* truncation freed the pages */
    assert_true(s->page.valid && s->page.hole);
    close(fd);
    mv_model_free(m);
}

static void unlink_with_nobody_else_frees(void **state)
{
    const char *name = new_name();
    (void)state;

    int fd = make(name, 1, 0600);
    close(fd);
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    assert_int_equal(s->state, MV_LIVE);
    assert_true(self_refers(name));       /* it holds a descriptor... */
    const struct mv_proc *me = find_proc(s, getpid());
    assert_non_null(me);
    assert_true(me->self && me->fd_only);
    assert_int_equal(s->procs.mappers + s->procs.holders, 0);   /* ...not counted */

    assert_int_equal(shm_unlink(name), 0);
    mv_model_sample(m, MV_FAST);          /* one sample is enough */
    assert_int_equal(s->state, MV_FREED);
    assert_false(s->obj.tracked);
    assert_false(self_refers(name));      /* and let go */
    mv_model_sample(m, ALL);
    assert_int_equal(s->state, MV_FREED);
    mv_model_free(m);
}

/* The name goes while a child uses the object (how): the model keeps it,
 * unlinked, until the child ends; then it lets go. */
static void unlink_while_used(enum how how)
{
    const char *name = new_name();

    int fd = make(name, 2, 0600);
    close(fd);
    struct kid *k = spawn(name, how, how == FD_ONLY ? "" : "10");
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    assert_int_equal(how == FD_ONLY ? s->procs.holders : s->procs.mappers, 1);
    const struct mv_proc *p = find_proc(s, k->pid);
    assert_non_null(p);
    assert_int_equal(p->fd_only, how == FD_ONLY);
    if (how == FD_ONLY)
        assert_true(p->fd >= 0);

    assert_int_equal(shm_unlink(name), 0);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->state, MV_UNLINKED);
    assert_int_equal(s->obj.nlink, 0);
    p = find_proc(s, k->pid);
    assert_non_null(p);
    assert_true(p->fd_only || p->deleted);   /* maps says "(deleted)" */

    end(k);
    mv_model_sample(m, ALL);
    assert_int_equal(s->state, MV_FREED);
    assert_false(self_refers(name));
    mv_model_free(m);
}

static void unlink_while_mapped(void **state)
{
    (void)state;
    unlink_while_used(MAP_READ);
}

static void unlink_while_held_open(void **state)
{
    (void)state;
    unlink_while_used(FD_ONLY);
}

static void replaced_while_old_in_use(void **state)
{
    const char *name = new_name();
    (void)state;

    int fd = make(name, 1, 0600);
    write_pages(fd, "1", 'o');
    close(fd);
    struct kid *k = spawn(name, MAP_READ, "1");
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    ino_t old = s->obj.ino;

    assert_int_equal(shm_unlink(name), 0);
    fd = make(name, 2, 0600);
    struct stat st;
    fstat(fd, &st);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->state, MV_REPLACED);
    assert_int_equal(s->obj.ino, old);    /* still showing the one in use */
    assert_int_equal(s->obj.name_ino, st.st_ino);
    assert_int_equal(s->page.bytes[0], 'o');

    end(k);
    mv_model_sample(m, ALL);
    assert_int_equal(s->state, MV_LIVE);
    assert_int_equal(s->obj.ino, st.st_ino);
    assert_int_equal(s->obj.pages, 2);
    close(fd);
    mv_model_free(m);
}

static void replaced_when_unused_follows_at_once(void **state)
{
    const char *name = new_name();
    (void)state;

    int fd = make(name, 1, 0600);
    close(fd);
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    ino_t old = s->obj.ino;
    assert_int_equal(shm_unlink(name), 0);
    fd = make(name, 3, 0600);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->state, MV_LIVE);
    assert_true(s->obj.ino != old);
    assert_int_equal(s->obj.pages, 3);
    close(fd);
    mv_model_free(m);
}

static void contents_and_changes(void **state)
{
    const char *name = new_name();
    (void)state;

    int fd = make(name, 2, 0600);
    char *p = mmap(NULL, 2 * (size_t)psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(p != MAP_FAILED);
    memcpy(p, "Message from first process.", 28);
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    assert_true(s->page.valid);
    assert_false(s->page.hole);
    assert_memory_equal(s->page.bytes, "Message from first process.", 28);
    assert_int_equal(s->page.nchanged, 0);

    memcpy(p + 8, "FROM", 4);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->page.nchanged, 4);
    assert_true(s->page.changed[8] && s->page.changed[11]);
    assert_false(s->page.changed[7] || s->page.changed[12]);
    assert_true(s->res.changed[0]);
    assert_int_equal(s->res.nchanged, 1);

    p[psz] = 'z';                         /* the other page, not selected */
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->page.nchanged, 0);
    assert_false(s->res.changed[0]);
    assert_true(s->res.changed[1]);       /* it was a hole: now it changed */

    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->res.nchanged, 0);
    munmap(p, 2 * (size_t)psz);
    close(fd);
    mv_model_free(m);
}

/* st_blocks, and for each page whether it holds data: "blocks 8: 010". */
static void allocation(int fd, size_t npages, char *out, size_t n)
{
    struct stat st;
    int o;

    fstat(fd, &st);
    o = snprintf(out, n, "blocks %lld:", (long long)st.st_blocks);
    for (size_t i = 0; i < npages && (size_t)o + 2 < n; i++) {
        off_t at = (off_t)i * psz;
        out[o++] = lseek(fd, at, SEEK_DATA) == at ? '1' : '0';
    }
    out[o] = '\0';
}

static void holes_are_never_faulted(void **state)
{
    const char *name = new_name();
    char before[256], after[256];
    bool wrapped;
    (void)state;

    int fd = make(name, 3, 0600);
    write_pages(fd, "010", 'd');
    allocation(fd, 3, before, sizeof before);
    assert_string_equal(before + strlen(before) - 3, "010");
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    for (int page = 0; page < 3; page++) {
        mv_model_select(m, page);
        assert_true(s->page.valid);
        assert_int_equal(s->page.hole, page != 1);
        mv_model_sample(m, ALL);
    }
    assert_int_equal(mv_model_search(m, (const unsigned char *)"nothing", 7, 0, &wrapped), -1);
    const unsigned char zeros[8] = { 0 };
    assert_int_equal(mv_model_search(m, zeros, 8, 0, &wrapped), 0);
    allocation(fd, 3, after, sizeof after);
    assert_string_equal(before, after);
    close(fd);
    mv_model_free(m);
}

/* A new file's path on a disk file system (not tmpfs), removed by the
 * teardown; the test is skipped when there is none. */
static const char *disk_path(const char *what)
{
    static const char *dirs[] = { "/var/tmp", "/tmp", NULL };
    struct statfs sf;

    for (int i = 0; dirs[i]; i++) {
        if (statfs(dirs[i], &sf) == 0 && sf.f_type != 0x01021994 &&
            access(dirs[i], W_OK) == 0) {
            char *path = files[nfiles++];
            snprintf(path, sizeof files[0], "%s/mmaplab-unit-%ld-%s", dirs[i],
                     (long)getpid(), what);
            return path;
        }
    }
    print_message("# SKIP no disk file system to write a file on (all tmpfs)\n");
    skip();
    return NULL;
}

/* The resident pages of fd's first n pages, by mincore on a PROT_NONE
 * mapping: a '1' or '0' a page. */
static void resident(int fd, size_t n, char *out)
{
    unsigned char *vec = malloc(n);
    void *q = mmap(NULL, n * (size_t)psz, PROT_NONE, MAP_SHARED, fd, 0);

    assert_non_null(vec);
    assert_true(q != MAP_FAILED);
    assert_int_equal(mincore(q, n * (size_t)psz, vec), 0);
    for (size_t i = 0; i < n; i++)
        out[i] = vec[i] & 1 ? '1' : '0';
    out[n] = '\0';
    munmap(q, n * (size_t)psz);
    free(vec);
}

static void disk_pages_are_not_loaded(void **state)
{
    const char *path = disk_path("disk");
    (void)state;

    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    assert_true(fd >= 0);
    char buf[3 * 65536];
    memset(buf, 'D', sizeof buf);
    assert_int_equal(write(fd, buf, 3 * (size_t)psz), 3 * psz);
    assert_int_equal(fsync(fd), 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    unsigned char vec[3];
    void *q = mmap(NULL, 3 * (size_t)psz, PROT_NONE, MAP_SHARED, fd, 0);
    assert_true(q != MAP_FAILED);
    assert_int_equal(mincore(q, 3 * (size_t)psz, vec), 0);
    if ((vec[0] | vec[1] | vec[2]) & 1) {
        munmap(q, 3 * (size_t)psz);
        close(fd);
        print_message("# SKIP the kernel kept the file's pages in memory\n");
        skip();
    }
    struct mv_model *m = model(path);
    const struct mv_snapshot *s = mv_model_snapshot(m);
    mv_model_sample(m, ALL | MV_FULL);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->kind, MV_FILE);
    assert_int_equal(s->res.source, MV_RES_MINCORE);
    assert_int_equal(s->res.count, 0);
    assert_false(s->page.valid);
    assert_non_null(strstr(s->page.note, "disk"));
    bool wrapped;
    assert_int_equal(mv_model_search(m, (const unsigned char *)"DDD", 3, 0, &wrapped), -1);
    assert_int_equal(mincore(q, 3 * (size_t)psz, vec), 0);
    assert_int_equal((vec[0] | vec[1] | vec[2]) & 1, 0);   /* still on disk */

    /* A page brought in by someone else is read. */
    char c;
    assert_int_equal(pread(fd, &c, 1, psz), 1);
    mv_model_select(m, 1);
    assert_true(s->page.valid);
    assert_int_equal(s->page.bytes[0], 'D');
    munmap(q, 3 * (size_t)psz);
    close(fd);
    mv_model_free(m);
}

/* A reader leaves a mark in each window the kernel read ahead for it; a
 * read(2) that reaches the mark, even of pages in memory, loads the next
 * window.  The model reads pages in memory again and again (the change
 * marks, the search): it must follow no mark. */
static void readahead_marks_are_not_followed(void **state)
{
    enum { PAGES = 16384 };           /* 64 MiB, sparse */
    const char *path = disk_path("marks");
    static char before[PAGES + 1], after[PAGES + 1];
    (void)state;

    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)PAGES * psz), 0);
    assert_int_equal(pwrite(fd, "far", 3, (off_t)(PAGES / 2) * psz), 3);
    assert_int_equal(fsync(fd), 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    char c;
    assert_int_equal(pread(fd, &c, 1, 0), 1);
    assert_int_equal(pread(fd, &c, 1, (off_t)(PAGES / 2) * psz), 1);
    resident(fd, PAGES, before);
    assert_int_equal(before[0], '1');

    struct mv_model *m = model(path);
    const struct mv_snapshot *s = mv_model_snapshot(m);
    mv_model_sample(m, ALL | MV_FULL);
    for (int i = 0; i < 100; i++)
        mv_model_sample(m, MV_FAST);
    bool wrapped;
    assert_int_equal(mv_model_search(m, (const unsigned char *)"far", 3, 0, &wrapped),
                     (long long)(PAGES / 2) * psz);
    assert_int_equal(mv_model_search(m, (const unsigned char *)"absent", 6, 0, &wrapped), -1);
    for (long long p = 0; p < 8; p++) {
        mv_model_select(m, p);
        assert_int_equal(s->page.valid, before[p] == '1');
        if (!s->page.valid)
            assert_non_null(strstr(s->page.note, "not read: not in memory"));
    }
    resident(fd, PAGES, after);
    for (size_t i = 0; i < PAGES; i++) {
        if (after[i] == '1' && before[i] != '1')
            fail_msg("page %zu came into memory", i);
    }
    close(fd);
    mv_model_free(m);
}

/* A file that shrinks and grows again while the model reads it: a copy
 * from the reader's mapping past the new end raises SIGBUS, which must end
 * that copy, not the viewer. */
static void file_shrinking_under_the_reader(void **state)
{
    enum { PAGES = 64 };
    const char *path = disk_path("shrink");
    static char buf[PAGES * 65536];
    int ctl[2];
    (void)state;

    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    assert_true(fd >= 0);
    memset(buf, 'S', sizeof buf);
    assert_int_equal(pwrite(fd, buf, PAGES * (size_t)psz, 0), PAGES * psz);
    assert_int_equal(pipe(ctl), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char c;
        close(ctl[1]);
        CHILD_CHECK(fcntl(ctl[0], F_SETFL, O_NONBLOCK) == 0);
        while (read(ctl[0], &c, 1) == -1 && errno == EAGAIN) {
            CHILD_CHECK(ftruncate(fd, psz) == 0);
            CHILD_CHECK(pwrite(fd, buf, PAGES * (size_t)psz, 0) == PAGES * psz);
        }
        _exit(0);
    }
    close(ctl[0]);
    kids[nkids] = (struct kid){ pid, ctl[1] };
    struct kid *k = &kids[nkids++];

    struct mv_model *m = model(path);
    const struct mv_snapshot *s = mv_model_snapshot(m);
    mv_model_sample(m, ALL | MV_FULL);
    double t0 = mv_now_ms();
    bool wrapped;
    for (long long i = 0; mv_now_ms() - t0 < 1500; i++) {
        mv_model_select(m, PAGES - 1 - i % 8);
        assert_true(s->page.valid || s->page.note[0] != '\0');
        mv_model_sample(m, MV_FAST);
        mv_model_search(m, (const unsigned char *)"absent", 6, 0, &wrapped);
    }
    end(k);
    close(fd);
    mv_model_free(m);
}

static void search(void **state)
{
    const char *name = new_name();
    bool wrapped;
    (void)state;

    int fd = make(name, 3, 0600);
    assert_int_equal(pwrite(fd, "needle", 6, psz - 3), 6);
    assert_int_equal(pwrite(fd, "\x4d\x65\x73", 3, 2 * psz + 5), 3);
    struct mv_model *m = model(name);
    mv_model_sample(m, ALL | MV_FULL);
    const unsigned char *needle = (const unsigned char *)"needle";
    assert_int_equal(mv_model_search(m, needle, 6, 0, &wrapped), psz - 3);
    assert_false(wrapped);
    assert_int_equal(mv_model_search(m, needle, 6, psz - 2, &wrapped), psz - 3);
    assert_true(wrapped);
    const unsigned char hex[] = { 0x4d, 0x65, 0x73 };
    assert_int_equal(mv_model_search(m, hex, 3, 0, &wrapped), 2 * psz + 5);
    assert_int_equal(mv_model_search(m, (const unsigned char *)"absent", 6, 0, &wrapped), -1);
    close(fd);
    mv_model_free(m);
}

static void frames_shared_and_private(void **state)
{
    const char *name = new_name();
    (void)state;

    int fd = make(name, 1, 0600);
    write_pages(fd, "1", 'm');
    close(fd);
    struct kid *a = spawn(name, MAP_READ, "1");
    struct kid *b = spawn(name, MAP_READ, "1");
    struct kid *c = spawn(name, MAP_PRIVATE_WRITE, "1");
    struct kid *d = spawn(name, MAP_READ, "0");     /* maps, never touches */
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    const struct mv_proc *pa = find_proc(s, a->pid), *pb = find_proc(s, b->pid);
    const struct mv_proc *pc = find_proc(s, c->pid), *pd = find_proc(s, d->pid);
    assert_non_null(pa);
    assert_non_null(pb);
    assert_non_null(pc);
    assert_non_null(pd);
    assert_int_equal(s->procs.mappers, 4);
    assert_int_equal(pd->frame_state, MV_FRAME_ABSENT);
    assert_string_equal(pc->perms, "rw-p");
    if (!s->frames_visible) {
        assert_int_equal(pa->frame_state, MV_FRAME_HIDDEN);
        assert_int_equal(pa->frame_group, -1);
        mv_model_free(m);
        print_message("# SKIP frame numbers need CAP_SYS_ADMIN\n");
        skip();
    }
    assert_int_equal(pa->frame_state, MV_FRAME_PRESENT);
    assert_int_equal(pb->frame_state, MV_FRAME_PRESENT);
    assert_int_equal(pa->pfn, pb->pfn);              /* two processes, one frame */
    assert_int_equal(pa->frame_group, pb->frame_group);
    assert_true(pa->mapcount >= 2);
    assert_false(pa->exclusive);
    assert_int_equal(pc->frame_state, MV_FRAME_PRESENT);   /* its own copy */
    assert_true(pc->pfn != pa->pfn);
    assert_true(pc->frame_group != pa->frame_group);
    assert_true(pc->exclusive);
    mv_model_free(m);
}

static void frames_hidden_without_cap_sys_admin(void **state)
{
    const char *name = new_name();
    int p[2];
    char out[64] = "";
    (void)state;

    if (!ml_frames_visible()) {
        print_message("# SKIP needs CAP_SYS_ADMIN to drop it\n");
        skip();
    }
    int fd = make(name, 1, 0600);
    write_pages(fd, "1", 'm');
    close(fd);
    struct kid *a = spawn(name, MAP_READ, "1");
    struct kid *b = spawn(name, MAP_READ, "1");
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct d[2];
        CHILD_CHECK(syscall(SYS_capget, &h, d) == 0);
        d[0].effective &= ~(1u << CAP_SYS_ADMIN);
        d[0].permitted &= ~(1u << CAP_SYS_ADMIN);
        CHILD_CHECK(syscall(SYS_capset, &h, d) == 0);
        CHILD_CHECK(!ml_frames_visible());
        struct mv_config cfg = { .target = name, .trace = "off" };
        char why[256];
        struct mv_model *cm = mv_model_new(&cfg, why, sizeof why);
        CHILD_CHECK(cm != NULL);
        mv_model_sample(cm, ALL | MV_FULL);
        const struct mv_snapshot *cs = mv_model_snapshot(cm);
        const struct mv_proc *x = find_proc(cs, a->pid), *y = find_proc(cs, b->pid);
        CHILD_CHECK(x && y);
        dprintf(p[1], "%d %s %s %d %d", cs->frames_visible, mv_frame_word(x->frame_state),
                mv_frame_word(y->frame_state), x->frame_group, (int)x->pfn);
        _exit(0);
    }
    close(p[1]);
    ssize_t n = read(p[0], out, sizeof out - 1);
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_true(n > 0);
    out[n] = '\0';
    assert_string_equal(out, "0 hidden hidden -1 0");
}

static void slow_scan_in_a_thread(void **state)
{
    const char *name = new_name();
    (void)state;

    int fd = make(name, 1, 0600);
    close(fd);
    struct kid *k = spawn(name, MAP_READ, "0");
    char why[256];
    struct mv_config cfg = { .target = name, .trace = "off", .single = true };
    struct mv_model *m = mv_model_new(&cfg, why, sizeof why);
    const struct mv_snapshot *s = mv_model_snapshot(m);
    mv_model_sample(m, ALL | MV_FULL);
    assert_true(s->procs.valid);
    assert_int_equal(s->procs.mappers, 1);
    assert_non_null(find_proc(s, k->pid));
    /* The transient mincore mapping never shows as a mapper. */
    for (size_t i = 0; i < s->procs.n; i++)
        assert_true(!s->procs.v[i].self || s->procs.v[i].fd_only);
    mv_model_free(m);
}

static void large_object_over_several_ticks(void **state)
{
    const char *name = new_name();
    size_t pages = RES_BUDGET_MINCORE * 2 + 100;
    (void)state;

    int fd = make(name, pages, 0600);
    const struct mv_snapshot *s;
    struct mv_model *m = watch(name, &s);
    assert_true(s->res.complete);
    assert_int_equal(s->res.count, 0);
    char one = 'x';
    for (size_t i = 0; i < pages; i += pages / 7)
        assert_int_equal(pwrite(fd, &one, 1, (off_t)i * psz), 1);
    size_t want = (pages + pages / 7 - 1) / (pages / 7);
    /* Three budgeted ticks cover it all. */
    for (int t = 0; t < 3; t++)
        mv_model_sample(m, MV_FAST);
    assert_int_equal(s->res.count, want);
    close(fd);
    mv_model_free(m);
}

static void huge_objects_stay_cheap(void **state)
{
    const char *name = new_name(), *name2 = new_name();
    (void)state;

    /* 1 TiB, sparse: too many pages to follow, but a page can still be read. */
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)1 << 40), 0);
    assert_int_equal(pwrite(fd, "far", 3, ((off_t)1 << 39) + 3 * psz), 3);
    struct mv_model *m = model(name);
    const struct mv_snapshot *s = mv_model_snapshot(m);
    double t0 = mv_now_ms();
    mv_model_sample(m, ALL | MV_FULL);
    assert_true(mv_now_ms() - t0 < 5000);
    assert_int_equal(s->state, MV_LIVE);
    assert_true(s->res.too_large);
    assert_int_equal(s->res.source, MV_RES_UNKNOWN);
    mv_model_select(m, ((long long)1 << 39) / psz + 3);
    assert_true(s->page.valid);
    assert_memory_equal(s->page.bytes, "far", 3);
    mv_model_free(m);
    close(fd);

    /* 32 GiB: followed, but the first pass is cut short and says so. */
    fd = shm_open(name2, O_CREAT | O_EXCL | O_RDWR, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)32 << 30), 0);
    m = model(name2);
    s = mv_model_snapshot(m);
    mv_model_sample(m, ALL | MV_FULL);
    assert_false(s->res.too_large);
    assert_false(s->res.complete);
    assert_int_equal(s->res.known, RES_FULL_MAX);
    mv_model_free(m);
    close(fd);
}

int main(void)
{
    psz = sysconf(_SC_PAGESIZE);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(waiting_then_live, teardown),
        cmocka_unit_test_teardown(residency_of_pages_a_child_touched, teardown),
        cmocka_unit_test_teardown(mincore_lie_as_nobody, teardown),
        cmocka_unit_test_teardown(truncation_and_growth, teardown),
        cmocka_unit_test_teardown(unlink_with_nobody_else_frees, teardown),
        cmocka_unit_test_teardown(unlink_while_mapped, teardown),
        cmocka_unit_test_teardown(unlink_while_held_open, teardown),
        cmocka_unit_test_teardown(replaced_while_old_in_use, teardown),
        cmocka_unit_test_teardown(replaced_when_unused_follows_at_once, teardown),
        cmocka_unit_test_teardown(contents_and_changes, teardown),
        cmocka_unit_test_teardown(holes_are_never_faulted, teardown),
        cmocka_unit_test_teardown(disk_pages_are_not_loaded, teardown),
        cmocka_unit_test_teardown(readahead_marks_are_not_followed, teardown),
        cmocka_unit_test_teardown(file_shrinking_under_the_reader, teardown),
        cmocka_unit_test_teardown(search, teardown),
        cmocka_unit_test_teardown(frames_shared_and_private, teardown),
        cmocka_unit_test_teardown(frames_hidden_without_cap_sys_admin, teardown),
        cmocka_unit_test_teardown(slow_scan_in_a_thread, teardown),
        cmocka_unit_test_teardown(large_object_over_several_ticks, teardown),
        cmocka_unit_test_teardown(huge_objects_stay_cheap, teardown),
    };
    return cmocka_run_group_tests_name("model_live", tests, NULL, NULL);
}
