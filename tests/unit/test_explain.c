/* test_explain.c — explained errors: errno names both ways, the owner of an
 * object (user name, uid, mode), and the hint chosen for each errno and
 * call.
 *
 * Owners are looked up in a temporary directory standing in for /dev/shm
 * (ml_describe_owner's shm_dir), and once in the real /dev/shm with an
 * object named /mmaplab-unit-PID-...; everything is removed in teardown.
 */
#include "unit.h"

#include <errno.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain.h"

struct fx {
    char dir[64];          /* stands in for /dev/shm */
    char shm[64];          /* a real object's name, "" when none was made */
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);

    if (fx == NULL)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/mmaplab-unit-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    char path[128];
    static const char *files[] = { "mmaplab-unit-obj", "mmaplab-unit-file" };

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fx->dir, files[i]);
        unlink(path);
    }
    int rc = rmdir(fx->dir);
    if (fx->shm[0] && shm_unlink(fx->shm) == -1)
        rc = -1;
    free(fx);
    return rc;
}

/* Make a file in the stand-in /dev/shm with the given owner and mode. */
static void make_obj(const struct fx *fx, const char *name, uid_t uid,
                     mode_t mode)
{
    char path[128];

    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(fchown(fd, uid, (gid_t)-1), 0);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static uid_t nobody_uid(void)
{
    struct passwd *pw = getpwnam("nobody");
    return pw ? pw->pw_uid : 65534;
}

static const char *hint(const char *call, int err, const char *object,
                        const char *owner)
{
    static char out[1024];

    memset(out, '#', sizeof out);
    ml_hint(call, err, object, owner, out, sizeof out);
    assert_true(strlen(out) < sizeof out - 1);   /* never cut here */
    assert_true(strlen(out) > 20);               /* and says something */
    return out;
}

/* ---- errno names ---------------------------------------------------------- */

static void test_errno_names(void **state)
{
    static const struct { int err; const char *name; } known[] = {
        { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
        { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
        { EACCES, "EACCES" }, { EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
        { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { EFBIG, "EFBIG" },
        { ENOSPC, "ENOSPC" }, { ENAMETOOLONG, "ENAMETOOLONG" },
        { ENODEV, "ENODEV" }, { ELOOP, "ELOOP" }, { EOVERFLOW, "EOVERFLOW" },
        { ETIMEDOUT, "ETIMEDOUT" }, { EOWNERDEAD, "EOWNERDEAD" },
        { ENOTRECOVERABLE, "ENOTRECOVERABLE" }, { EDQUOT, "EDQUOT" },
        { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EBUSY, "EBUSY" },
        { ENOSYS, "ENOSYS" }, { ENOTSUP, "ENOTSUP" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        assert_string_equal(ml_errno_name(known[i].err), known[i].name);
    }
}

/* Every name given out is an E-name, and no two numbers share a name. */
static void test_errno_round_trip(void **state)
{
    char seen[200][24];
    int named = 0;

    (void)state;
    for (int err = 1; err < 200; err++) {
        const char *name = ml_errno_name(err);
        snprintf(seen[err], sizeof seen[err], "%s", name);
        if (strncmp(name, "E?", 2) == 0)
            continue;
        named++;
        assert_true(name[0] == 'E');
        for (int other = 1; other < err; other++)
            if (strcmp(seen[other], name) == 0)
                fail_msg("%d and %d are both %s", other, err, name);
    }
    assert_true(named >= 40);
}

static void test_errno_unknown(void **state)
{
    (void)state;
    assert_string_equal(ml_errno_name(9999), "E?9999");
    assert_string_equal(ml_errno_name(0), "E?0");
    assert_string_equal(ml_errno_name(-5), "E?-5");
    assert_string_equal(ml_errno_name(2147483647), "E?2147483647");
}

/* ---- owners --------------------------------------------------------------- */

static void test_owner_named_user(void **state)
{
    struct fx *fx = *state;
    char out[256], want[128];

    if (getuid() != 0)
        skip();
    make_obj(fx, "mmaplab-unit-obj", nobody_uid(), 0640);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-obj", fx->dir, out,
                                       sizeof out), 0);
    snprintf(want, sizeof want, "%s (uid %ld), mode 0640",
             getpwuid(nobody_uid())->pw_name, (long)nobody_uid());
    assert_string_equal(out, want);
}

static void test_owner_self_and_mode(void **state)
{
    struct fx *fx = *state;
    char out[256], want[128];
    struct passwd *me = getpwuid(getuid());

    make_obj(fx, "mmaplab-unit-obj", getuid(), 0600);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-obj", fx->dir, out,
                                       sizeof out), 0);
    snprintf(want, sizeof want, "%s (uid %ld), mode 0600",
             me ? me->pw_name : "a user with no name", (long)getuid());
    assert_string_equal(out, want);
    /* special bits are shown too */
    char path[128];
    snprintf(path, sizeof path, "%s/mmaplab-unit-obj", fx->dir);
    assert_int_equal(chmod(path, 01604), 0);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-obj", fx->dir, out,
                                       sizeof out), 0);
    assert_contains(out, "mode 1604");
}

static void test_owner_without_a_name(void **state)
{
    struct fx *fx = *state;
    char out[256];

    if (getuid() != 0)
        skip();
    uid_t uid = 54321;
    while (getpwuid(uid) != NULL)
        uid++;
    make_obj(fx, "mmaplab-unit-obj", uid, 0600);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-obj", fx->dir, out,
                                       sizeof out), 0);
    char want[128];
    snprintf(want, sizeof want, "a user with no name (uid %ld), mode 0600",
             (long)uid);
    assert_string_equal(out, want);
}

static void test_owner_missing(void **state)
{
    struct fx *fx = *state;
    char out[64] = "untouched";

    assert_int_equal(ml_describe_owner("/mmaplab-unit-none", fx->dir, out,
                                       sizeof out), -1);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-none/x", fx->dir, out,
                                       sizeof out), -1);
}

/* A path with more than one '/' is a file, looked up as it is. */
static void test_owner_of_a_file(void **state)
{
    struct fx *fx = *state;
    char out[256], path[128];

    make_obj(fx, "mmaplab-unit-file", getuid(), 0644);
    snprintf(path, sizeof path, "%s/mmaplab-unit-file", fx->dir);
    assert_int_equal(ml_describe_owner(path, "/nonexistent-shm", out,
                                       sizeof out), 0);
    assert_contains(out, "mode 0644");
    char uid[32];
    snprintf(uid, sizeof uid, "(uid %ld)", (long)getuid());
    assert_contains(out, uid);
}

/* A link planted at the name is described as a link, never as what it
 * points to: the target here is root's file of mode 0640, as /etc/shadow. */
static void test_owner_of_a_link(void **state)
{
    struct fx *fx = *state;
    char out[256], link[128], target[128], want[160];
    struct passwd *me = getpwuid(getuid());

    make_obj(fx, "mmaplab-unit-file", getuid(), 0640);
    snprintf(target, sizeof target, "%s/mmaplab-unit-file", fx->dir);
    snprintf(link, sizeof link, "%s/mmaplab-unit-obj", fx->dir);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-obj", fx->dir, out,
                                       sizeof out), 0);
    snprintf(want, sizeof want, ML_OWNER_LINK ", made by %s (uid %ld)",
             me ? me->pw_name : "a user with no name", (long)getuid());
    assert_string_equal(out, want);
    assert_lacks(out, "mode 0640");
    /* a path, too */
    assert_int_equal(ml_describe_owner(link, "/nonexistent-shm", out,
                                       sizeof out), 0);
    assert_string_equal(out, want);
}

/* The hints name a planted link as such: never "you made it earlier". */
static void test_hint_planted_link(void **state)
{
    (void)state;
    char owner[128];
    snprintf(owner, sizeof owner, ML_OWNER_LINK ", made by mallory (uid %ld)",
             (long)getuid());

    const char *h = hint("shm_open", EEXIST, "/lab7", owner);
    assert_contains(h, "/dev/shm/lab7 is a symbolic link, made by mallory");
    assert_contains(h, "planted");
    assert_lacks(h, "you made");
    h = hint("shm_open", ELOOP, "/lab7", owner);
    assert_contains(h, "/dev/shm/lab7 is a symbolic link, made by mallory");
    assert_contains(h, "never follows a link");
    assert_contains(h, "-n /lab7-$(id -un)");
    h = hint("shm_open", ELOOP, "/lab7", NULL);
    assert_contains(h, "/dev/shm/lab7 is a symbolic link, not a shared memory object");
    h = hint("open", EEXIST, "out.npy", owner);
    assert_contains(h, "out.npy is a symbolic link, made by mallory");
    assert_contains(h, "rm out.npy");
    h = hint("open", ELOOP, "pages.dat", NULL);
    assert_contains(h, "pages.dat is a symbolic link");
    assert_contains(h, "O_NOFOLLOW");
}

/* What Linux really says for ftruncate on a read-only descriptor, and the
 * hint for it. */
static void test_hint_ftruncate_readonly(void **state)
{
    struct fx *fx = *state;

    snprintf(fx->shm, sizeof fx->shm, "/mmaplab-unit-%ld-ro", (long)getpid());
    int fd = shm_open(fx->shm, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1) {
        fx->shm[0] = '\0';
        fail_msg("shm_open: %s", strerror(errno));
    }
    close(fd);
    fd = shm_open(fx->shm, O_RDONLY, 0);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 4096), -1);
    int err = errno;
    close(fd);
    assert_int_equal(err, EINVAL);
    assert_contains(hint("ftruncate", err, fx->shm, NULL), "O_RDWR");
}

/* The real /dev/shm when shm_dir is NULL. */
static void test_owner_real_shm(void **state)
{
    struct fx *fx = *state;
    char out[256];

    snprintf(fx->shm, sizeof fx->shm, "/mmaplab-unit-%ld-owner", (long)getpid());
    int fd = shm_open(fx->shm, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1) {
        fx->shm[0] = '\0';
        fail_msg("shm_open: %s", strerror(errno));
    }
    assert_int_equal(fchmod(fd, 0640), 0);
    close(fd);
    assert_int_equal(ml_describe_owner(fx->shm, NULL, out, sizeof out), 0);
    assert_contains(out, "mode 0640");
    char uid[32];
    snprintf(uid, sizeof uid, "(uid %ld)", (long)getuid());
    assert_contains(out, uid);
}

static void test_owner_small_buffer(void **state)
{
    struct fx *fx = *state;
    char out[16];

    make_obj(fx, "mmaplab-unit-obj", getuid(), 0600);
    memset(out, '#', sizeof out);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-obj", fx->dir, out, 8), 0);
    assert_int_equal(strlen(out), 7);
    assert_int_equal(out[8], '#');
}

/* ---- hints ------------------------------------------------------------------ */

static void test_hint_enoent(void **state)
{
    const char *h;

    (void)state;
    h = hint("shm_open", ENOENT, "/lab7", NULL);
    assert_contains(h, "no shared memory object named /lab7");
    assert_contains(h, "run 01-create first");
    assert_contains(h, "01-create -n /lab7");
    h = hint("shm_unlink", ENOENT, "/lab7", NULL);
    assert_contains(h, "no object named /lab7");
    assert_contains(h, "already removed");
    assert_lacks(h, "01-create");
    h = hint("open", ENOENT, "/tmp/data.bin", NULL);
    assert_contains(h, "/tmp/data.bin does not exist");
    assert_contains(h, "check the path");
    assert_lacks(h, "01-create");
}

/* EEXIST names who owns the object (user and uid) and its mode, as
 * ml_describe_owner finds them, and how to pick another name. */
static void test_hint_eexist_names_owner(void **state)
{
    struct fx *fx = *state;
    char owner[256], want[128];
    const char *h;

    if (getuid() != 0)
        skip();
    make_obj(fx, "mmaplab-unit-obj", nobody_uid(), 0600);
    assert_int_equal(ml_describe_owner("/mmaplab-unit-obj", fx->dir, owner,
                                       sizeof owner), 0);
    h = hint("shm_open", EEXIST, "/mmaplab-unit-obj", owner);
    snprintf(want, sizeof want, "owned by %s (uid %ld), mode 0600",
             getpwuid(nobody_uid())->pw_name, (long)nobody_uid());
    assert_contains(h, "an object named /mmaplab-unit-obj already exists");
    assert_contains(h, want);
    assert_contains(h, "Pick your own name");
    assert_contains(h, "-n /mmaplab-unit-obj-$(id -un)");
    assert_lacks(h, "05-close");     /* it is not ours to remove */
}

/* EEXIST on an object of one's own: it is a leftover, to use or remove. */
static void test_hint_eexist_yours(void **state)
{
    char owner[128];
    const char *h;

    (void)state;
    snprintf(owner, sizeof owner, "me (uid %ld), mode 0600", (long)getuid());
    h = hint("shm_open", EEXIST, "/mine", owner);
    assert_contains(h, "you made /mine earlier");
    assert_contains(h, "outlives the program");
    assert_contains(h, "05-close -n /mine");
    assert_contains(h, "mmaplab clean");
    assert_lacks(h, "Pick your own name");
}

/* EEXIST on a file path (O_EXCL open): rm, not 05-close. */
static void test_hint_eexist_file(void **state)
{
    const char *h;

    (void)state;
    h = hint("open", EEXIST, "/tmp/f.bin", "me (uid 1), mode 0644");
    assert_contains(h, "/tmp/f.bin already exists");
    assert_contains(h, "rm /tmp/f.bin");
    assert_lacks(h, "05-close");
}

static void test_hint_eexist_unknown_owner(void **state)
{
    const char *h;

    (void)state;
    h = hint("shm_open", EEXIST, "/lab7", NULL);
    assert_contains(h, "already exists, owned by someone else");
    assert_contains(h, "-n /lab7-$(id -un)");
}

static void test_hint_eacces(void **state)
{
    const char *owner = "nobody (uid 65534), mode 0600";
    const char *h;

    (void)state;
    h = hint("shm_open", EACCES, "/lab7", owner);
    assert_contains(h, "/lab7 is owned by nobody (uid 65534), mode 0600");
    assert_contains(h, "its mode does not let you");
    assert_contains(h, "-n /lab7-$(id -un)");
    h = hint("shm_open", EPERM, "/lab7", owner);
    assert_contains(h, "owned by nobody (uid 65534), mode 0600");
    h = hint("shm_open", EACCES, "/lab7", NULL);
    assert_contains(h, "owned by someone else");
    /* a file path with a known owner */
    h = hint("open", EACCES, "/srv/data.bin", owner);
    assert_contains(h, "/srv/data.bin is owned by nobody");
    /* without one: the call is named */
    h = hint("open", EACCES, "/srv/data.bin", NULL);
    assert_contains(h, "permission for open");
}

/* mmap's EACCES is about the descriptor's access mode, whoever owns the
 * object: the caller passes the owner it found, and it must not drown the
 * real reason. */
static void test_hint_eacces_mmap(void **state)
{
    const char *h;

    (void)state;
    h = hint("mmap", EACCES, "/lab7", NULL);
    assert_contains(h, "O_RDWR");
    h = hint("mmap", EACCES, "/lab7", "alice (uid 1000), mode 0600");
    assert_contains(h, "O_RDWR");
    assert_lacks(h, "its mode does not let you");
}

/* Removing someone else's object is refused by /dev/shm's sticky bit, not
 * by the object's mode. */
static void test_hint_unlink_not_yours(void **state)
{
    const char *h;

    (void)state;
    h = hint("shm_unlink", EPERM, "/lab7", "alice (uid 1000), mode 0666");
    assert_contains(h, "owned by alice (uid 1000)");
    assert_contains(h, "only its owner can remove it");
    assert_lacks(h, "open it");
    h = hint("shm_unlink", EACCES, "/lab7", NULL);
    assert_contains(h, "only its owner can remove it");
}

static void test_hint_einval(void **state)
{
    const char *h;

    (void)state;
    h = hint("shm_open", EINVAL, "/a/b", NULL);
    assert_contains(h, "'/a/b' is not a valid name");
    assert_contains(h, "one leading '/'");
    assert_contains(h, "no other '/'");
    assert_contains(h, "1 to 255 characters");
    h = hint("shm_unlink", EINVAL, "/a/b", NULL);
    assert_contains(h, "not a valid name");
    h = hint("mmap", EINVAL, "/lab7", NULL);
    assert_contains(h, "length of 0");
    assert_contains(h, "page size");
    assert_lacks(h, "valid name");
    h = hint("ftruncate", EINVAL, "/lab7", NULL);
    assert_contains(h, "smaller -s");
    assert_contains(h, "ftruncate needs O_RDWR");
    h = hint("munmap", EINVAL, "/lab7", NULL);
    assert_contains(h, "page-aligned");
    h = hint("pthread_mutex_init", EINVAL, "/lab7", NULL);
    assert_contains(h, "see man pthread_mutex_init");
}

static void test_hint_space_and_size(void **state)
{
    const char *h;

    (void)state;
    h = hint("ftruncate", ENOSPC, "/lab7", NULL);
    assert_contains(h, "full");
    assert_contains(h, "df -h /dev/shm");
    assert_contains(h, "mmaplab clean");
    h = hint("memcpy", EDQUOT, "/lab7", NULL);
    assert_contains(h, "full");
    h = hint("ftruncate", EFBIG, "/lab7", NULL);
    assert_contains(h, "smaller -s");
    h = hint("shm_open", ENAMETOOLONG, "/lab7", NULL);
    assert_contains(h, "at most 255 characters");
    h = hint("mmap", ENOMEM, "/lab7", NULL);
    assert_contains(h, "address space");
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_AS, &rl), 0);
    if (rl.rlim_cur == RLIM_INFINITY)
        assert_null(strstr(h, "ulimit"));   /* not the cause when there is none */
    else
        assert_contains(h, "ulimit -v");
    char big[600];
    ml_hint_nomem(1ULL << 62, big, sizeof big);
    assert_contains(big, "no process can map an object that large");
    assert_true(ml_address_space() >= (1ULL << 32));
    h = hint("fork", ENOMEM, "/lab7", NULL);
    assert_contains(h, "out of memory");
}

static void test_hint_descriptors(void **state)
{
    const char *h;

    (void)state;
    h = hint("close", EBADF, "/lab7", NULL);
    assert_contains(h, "descriptor is not open in this process");
    assert_contains(h, "FD_CLOEXEC");
    h = hint("shm_open", EMFILE, "/lab7", NULL);
    assert_contains(h, "ulimit -n");
    h = hint("open", ENFILE, "/lab7", NULL);
    assert_contains(h, "too many files");
    h = hint("mmap", ENODEV, "/dev/tty", NULL);
    assert_contains(h, "cannot be mapped");
}

static void test_hint_mutex(void **state)
{
    const char *h;

    (void)state;
    h = hint("pthread_mutex_lock", EOWNERDEAD, "/lab7", NULL);
    assert_contains(h, "died holding it");
    assert_contains(h, "pthread_mutex_consistent");
    h = hint("pthread_mutex_lock", ENOTRECOVERABLE, "/lab7", NULL);
    assert_contains(h, "can no longer be used");
    h = hint("pthread_mutex_timedlock", ETIMEDOUT, "/lab7", NULL);
    assert_contains(h, "before the lock was free");
}

/* Anything else points at the call's manual page, naming the errno. */
static void test_hint_unknown_falls_back_to_man(void **state)
{
    const char *h;

    (void)state;
    h = hint("shm_open", EXDEV, "/lab7", NULL);
    assert_string_equal(h, "see man shm_open for what EXDEV means here");
    h = hint("mmap", 9999, "/lab7", NULL);
    assert_string_equal(h, "see man mmap for what E?9999 means here");
    h = hint("fstat", EOVERFLOW, NULL, NULL);
    assert_contains(h, "see man fstat");
}

/* No object given, and buffers of every small size. */
static void test_hint_null_object_small_buffers(void **state)
{
    char out[80];
    static const int errs[] = { ENOENT, EEXIST, EACCES, EINVAL, ENOSPC, EBADF,
                                EXDEV };

    (void)state;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        memset(out, '#', sizeof out);
        ml_hint("shm_open", errs[i], NULL, NULL, out, sizeof out);
        assert_true(strlen(out) > 0 && strlen(out) < sizeof out);
        for (size_t cap = 1; cap < 40; cap++) {
            memset(out, '#', sizeof out);
            ml_hint("shm_open", errs[i], "/lab7", NULL, out, cap);
            assert_int_equal(strlen(out), cap - 1);
            assert_int_equal(out[cap], '#');
        }
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errno_names),
        cmocka_unit_test(test_errno_round_trip),
        cmocka_unit_test(test_errno_unknown),
        T(test_owner_named_user),
        T(test_owner_self_and_mode),
        T(test_owner_without_a_name),
        T(test_owner_missing),
        T(test_owner_of_a_file),
        T(test_owner_of_a_link),
        T(test_hint_planted_link),
        T(test_owner_real_shm),
        T(test_owner_small_buffer),
        cmocka_unit_test(test_hint_enoent),
        cmocka_unit_test(test_hint_eexist_yours),
        cmocka_unit_test(test_hint_eexist_file),
        T(test_hint_eexist_names_owner),
        cmocka_unit_test(test_hint_eexist_unknown_owner),
        cmocka_unit_test(test_hint_eacces),
        cmocka_unit_test(test_hint_eacces_mmap),
        cmocka_unit_test(test_hint_unlink_not_yours),
        cmocka_unit_test(test_hint_einval),
        T(test_hint_ftruncate_readonly),
        cmocka_unit_test(test_hint_space_and_size),
        cmocka_unit_test(test_hint_descriptors),
        cmocka_unit_test(test_hint_mutex),
        cmocka_unit_test(test_hint_unknown_falls_back_to_man),
        cmocka_unit_test(test_hint_null_object_small_buffers),
    };
    return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
#undef T
}
