/* test_trace.c — the trace writer (lessons/trace.md): the records and
 * their keys, one write per event (several processes appending at once),
 * the cap on strings, the default directory and its unsafe cases, "off",
 * and trouble that warns once.
 *
 * Everything is made under a temporary directory /tmp/mmaplab-unit-XXXXXX,
 * removed in teardown.  Warnings are once per process, so each test that
 * looks at one runs in a forked child.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "traceline.h"
#include "trace.h"

/* In a forked child cmocka's asserts must not be used (a failure would
 * longjmp into the child's copy of the runner): report and exit instead. */
#define CHILD_CHECK(cond)                                                    \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "child check failed, line %d: %s\n", __LINE__,   \
                    #cond);                                                  \
            _exit(99);                                                       \
        }                                                                    \
    } while (0)

struct fx {
    char dir[64];          /* the test's scratch directory */
};

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st; (void)ftw;
    if (flag == FTW_DP || flag == FTW_D)
        return rmdir(path) == -1 && errno != ENOENT ? -1 : 0;
    return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

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

    trace_close();
    /* Directories chmod'ed 0 or given away are still root's to remove. */
    int rc = nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return rc;
}

static char *path_in(const struct fx *fx, const char *name)
{
    static char buf[4][512];
    static int i;

    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", fx->dir, name);
    return buf[i];
}

/* The whole of a file, NUL-terminated; the caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (n + 4097 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            if (buf == NULL)
                abort();
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Parse every line of a trace file into objs (at most max); returns the
 * number of lines, failing the test on a line that does not parse or a
 * file that does not end in a newline. */
static int parse_lines(const char *path, json_t **objs, int max)
{
    size_t len;
    char *text = slurp(path, &len);
    int n = 0;

    if (text == NULL)
        fail_msg("cannot read %s", path);
    if (len > 0 && text[len - 1] != '\n')
        fail_msg("%s does not end in a newline", path);
    for (char *p = text; *p; ) {
        char *nl = strchr(p, '\n');
        json_error_t why;
        json_t *o = traceline_read(p, (size_t)(nl - p), &why);
        if (o == NULL)
            fail_msg("line %d does not parse (%s): %.*s", n + 1, why.text,
                     (int)(nl - p), p);
        if (n < max)
            objs[n] = o;
        else
            json_decref(o);
        n++;
        p = nl + 1;
    }
    free(text);
    return n;
}

static void release(json_t **objs, int n)
{
    for (int i = 0; i < n; i++)
        json_decref(objs[i]);
}

/* The key in place i of o, in the order the line gave them. */
static const char *key_at(json_t *o, int i)
{
    void *it = json_object_iter(o);
    while (it != NULL && i-- > 0)
        it = json_object_iter_next(o, it);
    return it ? json_object_iter_key(it) : "(none)";
}

static void assert_common_keys(const json_t *o)
{
    static const char *ints[] = { "v", "ts_ns", "pid" };
    static const char *strs[] = { "prog", "event", "object" };

    for (size_t i = 0; i < 3; i++)
        if (!json_is_integer(json_object_get(o, ints[i])))
            fail_msg("key %s missing or not an integer", ints[i]);
    for (size_t i = 0; i < 3; i++)
        if (traceline_str(o, strs[i]) == NULL)
            fail_msg("key %s missing or not a string", strs[i]);
    assert_int_equal(traceline_int(o, "v"), TRACE_VERSION);
}

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Run fn in a child with stderr going to errpath; returns its wait status. */
static int in_child(void (*fn)(const struct fx *), const struct fx *fx,
                    const char *errpath)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
            _exit(98);
        close(fd);
        fn(fx);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static void assert_child_ok(int st, const char *errpath)
{
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char *err = slurp(errpath, NULL);
        fail_msg("child failed (status 0x%x): %s", st, err ? err : "");
    }
}

/* How many times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static uid_t nobody_uid(void)
{
    struct passwd *pw = getpwnam("nobody");
    return pw ? pw->pw_uid : 65534;
}

/* ---- records -------------------------------------------------------------- */

static void test_record_keys_and_types(void **state)
{
    struct fx *fx = *state;
    const char *path = path_in(fx, "t.jsonl");
    struct trace_event e;
    json_t *o[2] = { NULL };

    trace_open("unit", path, NULL);
    assert_true(trace_on());
    assert_string_equal(trace_path(), path);

    long long before = now_ns();
    trace_begin(&e, "03-copy", "call", "/MyFileMappingObject");
    trace_str(&e, "step", "map");
    trace_str(&e, "call", "mmap");
    trace_str(&e, "args", "NULL, 256, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0");
    trace_str(&e, "ret", "0x7f12a000");
    trace_str(&e, "errno", "0");
    trace_bool(&e, "expected", false);
    trace_bool(&e, "flag", true);
    trace_str(&e, "addr", "0x7f12a000");
    trace_int(&e, "len", 256);
    trace_int(&e, "offset", 0);
    trace_int(&e, "neg", -42);
    trace_int(&e, "min", LLONG_MIN);
    trace_int(&e, "max", LLONG_MAX);
    trace_str(&e, "none", NULL);
    trace_write(&e);
    long long after = now_ns();

    trace_begin(&e, "03-copy", "exit", NULL);
    trace_int(&e, "status", 0);
    trace_write(&e);
    trace_close();
    assert_false(trace_on());
    assert_null(trace_path());

    assert_int_equal(parse_lines(path, o, 2), 2);
    assert_common_keys(o[0]);
    assert_common_keys(o[1]);
    /* the common keys, in the contract's order, first */
    assert_string_equal(key_at(o[0], 0), "v");
    assert_string_equal(key_at(o[0], 1), "ts_ns");
    assert_string_equal(key_at(o[0], 2), "pid");
    assert_string_equal(key_at(o[0], 3), "prog");
    assert_string_equal(key_at(o[0], 4), "event");
    assert_string_equal(key_at(o[0], 5), "object");
    long long ts = traceline_int(o[0], "ts_ns");
    assert_true(ts >= before && ts <= after);
    assert_int_equal(traceline_int(o[0], "pid"), getpid());
    assert_string_equal(traceline_str(o[0], "prog"), "03-copy");
    assert_string_equal(traceline_str(o[0], "event"), "call");
    assert_string_equal(traceline_str(o[0], "object"), "/MyFileMappingObject");
    assert_string_equal(traceline_str(o[0], "step"), "map");
    assert_string_equal(traceline_str(o[0], "args"),
                        "NULL, 256, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0");
    assert_string_equal(traceline_str(o[0], "addr"), "0x7f12a000");
    assert_true(json_is_boolean(json_object_get(o[0], "expected")));
    assert_false(json_is_true(json_object_get(o[0], "expected")));
    assert_true(json_is_true(json_object_get(o[0], "flag")));
    assert_int_equal(traceline_int(o[0], "len"), 256);
    assert_true(json_is_integer(json_object_get(o[0], "offset")));
    assert_int_equal(traceline_int(o[0], "neg"), -42);
    assert_true(traceline_int(o[0], "min") == LLONG_MIN);
    assert_true(traceline_int(o[0], "max") == LLONG_MAX);
    assert_true(json_is_null(json_object_get(o[0], "none")));
    /* a NULL object is an empty string, not a missing key */
    assert_string_equal(traceline_str(o[1], "object"), "");
    assert_string_equal(traceline_str(o[1], "event"), "exit");
    assert_int_equal(traceline_int(o[1], "status"), 0);
    assert_true(traceline_int(o[1], "ts_ns") >= ts);
    release(o, 2);
}

static void test_record_escaped_and_capped(void **state)
{
    struct fx *fx = *state;
    const char *path = path_in(fx, "t.jsonl");
    struct trace_event e;
    json_t *o[1] = { NULL };
    char big[1000];

    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    trace_open("unit", path, NULL);
    trace_begin(&e, "unit", "error", "/odd\"name\\\n");
    trace_str(&e, "message", big);
    trace_str(&e, "bytes", "tab\there \x01 \xff caf\xc3\xa9");
    trace_write(&e);
    trace_close();

    assert_int_equal(parse_lines(path, o, 1), 1);
    assert_string_equal(traceline_str(o[0], "object"), "/odd\"name\\\n");
    const char *m = traceline_str(o[0], "message");
    assert_int_equal(strlen(m), TRACE_STR_MAX + 5);
    assert_string_equal(m + TRACE_STR_MAX, "[cut]");
    assert_string_equal(traceline_str(o[0], "bytes"),
                        "tab\there \x01 \xef\xbf\xbd caf\xc3\xa9");
    /* one line: the newline in the object was escaped */
    char *text = slurp(path, NULL);
    assert_int_equal(count_of(text, "\n"), 1);
    free(text);
    release(o, 1);
}

/* An event too large for its buffer is never written half: an error event
 * with every common key stands in its place. */
static void test_record_overflow(void **state)
{
    struct fx *fx = *state;
    const char *path = path_in(fx, "t.jsonl");
    struct trace_event e;
    json_t *o[2] = { NULL };
    char ctl[300];

    memset(ctl, 1, sizeof ctl - 1);     /* 6 bytes each once escaped */
    ctl[sizeof ctl - 1] = '\0';
    trace_open("unit", path, NULL);
    long long before = now_ns();
    trace_begin(&e, "unit", "call", "/x");
    for (int i = 0; i < 6; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i);
        trace_str(&e, key, ctl);
    }
    assert_true(e.overflow);
    long long after = now_ns();
    trace_write(&e);
    /* the next event is whole again */
    trace_begin(&e, "unit", "exit", "/x");
    trace_int(&e, "status", 0);
    trace_write(&e);
    trace_close();

    assert_int_equal(parse_lines(path, o, 2), 2);
    assert_common_keys(o[0]);
    assert_string_equal(traceline_str(o[0], "event"), "error");
    assert_string_equal(traceline_str(o[0], "prog"), "unit");
    assert_contains(traceline_str(o[0], "message"), "too large");
    assert_int_equal(traceline_int(o[0], "pid"), getpid());
    /* the replacement keeps the time the dropped event began */
    assert_true(traceline_int(o[0], "ts_ns") >= before);
    assert_true(traceline_int(o[0], "ts_ns") <= after);
    assert_string_equal(traceline_str(o[1], "event"), "exit");
    release(o, 2);
}

static void test_record_appends(void **state)
{
    struct fx *fx = *state;
    const char *path = path_in(fx, "t.jsonl");
    struct trace_event e;
    json_t *o[3] = { NULL };

    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{\"v\":1}\n", 8), 8);
    close(fd);
    for (int i = 0; i < 2; i++) {
        trace_open("unit", path, NULL);
        trace_begin(&e, "unit", "start", "/x");
        trace_write(&e);
        trace_close();
    }
    assert_int_equal(parse_lines(path, o, 3), 3);
    assert_int_equal(json_object_size(o[0]), 1);
    assert_string_equal(traceline_str(o[2], "event"), "start");
    release(o, 3);
}

static void test_write_when_off(void **state)
{
    struct trace_event e;

    (void)state;
    trace_close();
    assert_false(trace_on());
    trace_begin(&e, "unit", "start", "/x");
    errno = EXDEV;
    trace_write(&e);          /* nothing to do, nothing to break */
    assert_int_equal(errno, EXDEV);
    assert_null(trace_path());
}

/* ---- one write per event ---------------------------------------------------- */

#define WRITERS 8
#define EVENTS 300

/* Several processes append long events to one file at once: every line
 * comes out whole, and every event is there once. */
static void test_concurrent_appends(void **state)
{
    struct fx *fx = *state;
    const char *path = path_in(fx, "shared.jsonl");
    pid_t pids[WRITERS];
    char filler[240];

    memset(filler, 'w', sizeof filler - 1);
    filler[sizeof filler - 1] = '\0';
    fflush(NULL);
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            trace_open("writer", path, NULL);
            for (int i = 0; i < EVENTS; i++) {
                struct trace_event e;
                trace_begin(&e, "writer", "step", filler);
                trace_int(&e, "seq", i);
                trace_str(&e, "a", filler);
                trace_str(&e, "b", filler);
                trace_str(&e, "c", filler);
                trace_str(&e, "message", filler);
                trace_write(&e);
            }
            _exit(trace_on() ? 0 : 1);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int st;
        assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }

    size_t len;
    char *text = slurp(path, &len);
    int seen[WRITERS][EVENTS] = { { 0 } };
    int lines = 0;
    assert_non_null(text);
    assert_int_equal(text[len - 1], '\n');
    for (char *p = text; *p; lines++) {
        char *nl = strchr(p, '\n');
        json_t *o = traceline_read(p, (size_t)(nl - p), NULL);
        if (o == NULL)
            fail_msg("line %d is not one whole event: %.80s", lines + 1, p);
        long long pid = traceline_int(o, "pid"), seq = traceline_int(o, "seq");
        int w = 0;
        while (w < WRITERS && pids[w] != pid)
            w++;
        assert_true(w < WRITERS);
        assert_true(seq >= 0 && seq < EVENTS);
        /* each writer's events in its own order */
        if (seq > 0)
            assert_int_equal(seen[w][seq - 1], 1);
        seen[w][seq]++;
        assert_string_equal(traceline_str(o, "message"), filler);
        json_decref(o);
        p = nl + 1;
    }
    assert_int_equal(lines, WRITERS * EVENTS);
    for (int w = 0; w < WRITERS; w++)
        for (int i = 0; i < EVENTS; i++)
            assert_int_equal(seen[w][i], 1);
    free(text);
}

/* ---- opening: flag, environment, off -------------------------------------- */

static void test_open_flag_env_off(void **state)
{
    struct fx *fx = *state;
    const char *a = path_in(fx, "a.jsonl"), *b = path_in(fx, "b.jsonl");
    char cwd[4096];

    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx->dir), 0);   /* an "off" file would land here */

    trace_open("unit", a, b);              /* --trace wins over the env */
    assert_string_equal(trace_path(), a);
    trace_open("unit", NULL, b);           /* then MMAPLAB_TRACE */
    assert_string_equal(trace_path(), b);
    trace_open("unit", "", b);             /* an empty flag is no flag */
    assert_string_equal(trace_path(), b);
    trace_open("unit", "off", b);          /* --trace off */
    assert_false(trace_on());
    trace_open("unit", NULL, "off");       /* MMAPLAB_TRACE=off */
    assert_false(trace_on());
    assert_null(trace_path());
    trace_open("unit", a, "off");          /* --trace FILE beats the env's off */
    assert_true(trace_on());
    trace_close();

    struct stat st;
    assert_int_equal(stat("off", &st), -1);
    assert_int_equal(chdir(cwd), 0);
}

/* A file the user names is made with their umask; the default one 0600. */
static void test_open_modes(void **state)
{
    struct fx *fx = *state;
    const char *named = path_in(fx, "named.jsonl");
    struct stat st;

    mode_t old = umask(022);
    trace_open("unit", named, NULL);
    umask(old);
    assert_true(trace_on());
    trace_close();
    assert_int_equal(stat(named, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void child_default_in_xdg(const struct fx *fx)
{
    char xdg[512], want[600];
    struct stat st;
    struct trace_event e;

    snprintf(xdg, sizeof xdg, "%s/xdg", fx->dir);
    CHILD_CHECK(mkdir(xdg, 0700) == 0);
    CHILD_CHECK(setenv("XDG_RUNTIME_DIR", xdg, 1) == 0);
    umask(0);                             /* the 0600 does not rely on it */
    trace_open("unit", NULL, NULL);
    snprintf(want, sizeof want, "%s/mmaplab/trace.jsonl", xdg);
    CHILD_CHECK(trace_on());
    CHILD_CHECK(strcmp(trace_path(), want) == 0);
    trace_begin(&e, "unit", "start", "/x");
    trace_write(&e);
    CHILD_CHECK(lstat(want, &st) == 0 && S_ISREG(st.st_mode));
    CHILD_CHECK((st.st_mode & 0777) == 0600);
    CHILD_CHECK(st.st_size > 0);
    snprintf(want, sizeof want, "%s/mmaplab", xdg);
    CHILD_CHECK(lstat(want, &st) == 0 && S_ISDIR(st.st_mode));
    CHILD_CHECK((st.st_mode & 0777) == 0700);
}

static void test_open_default_in_xdg(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");

    assert_child_ok(in_child(child_default_in_xdg, fx, err), err);
    char *text = slurp(err, NULL);
    assert_string_equal(text, "");        /* no warning */
    free(text);
}

/* In the per-user directory the trace file itself may not be a link. */
static void child_default_file_is_link(const struct fx *fx)
{
    char xdg[512], dir[600], link[700], target[600];
    struct stat st;

    snprintf(xdg, sizeof xdg, "%s/xdg", fx->dir);
    snprintf(dir, sizeof dir, "%s/mmaplab", xdg);
    snprintf(link, sizeof link, "%s/trace.jsonl", dir);
    snprintf(target, sizeof target, "%s/target", fx->dir);
    CHILD_CHECK(mkdir(xdg, 0700) == 0 && mkdir(dir, 0700) == 0);
    CHILD_CHECK(symlink(target, link) == 0);
    CHILD_CHECK(setenv("XDG_RUNTIME_DIR", xdg, 1) == 0);
    trace_open("unit", NULL, NULL);
    CHILD_CHECK(!trace_on());
    CHILD_CHECK(lstat(target, &st) == -1 && errno == ENOENT);
}

static void test_open_default_file_is_link(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");

    assert_child_ok(in_child(child_default_file_is_link, fx, err), err);
    char *text = slurp(err, NULL);
    assert_contains(text, "unit: warning: trace cannot be opened");
    assert_contains(text, "trace.jsonl");
    assert_int_equal(count_of(text, "\n"), 1);
    free(text);
}

/* A FIFO planted as the per-user trace: refused, whether or not someone
 * reads it, and the open never waits for a reader (alarm: the old open
 * blocked for ever). */
static void child_default_file_is_fifo(const struct fx *fx)
{
    char xdg[512], dir[600], fifo[700];

    snprintf(xdg, sizeof xdg, "%s/xdg", fx->dir);
    snprintf(dir, sizeof dir, "%s/mmaplab", xdg);
    snprintf(fifo, sizeof fifo, "%s/trace.jsonl", dir);
    CHILD_CHECK(mkdir(xdg, 0700) == 0 && mkdir(dir, 0700) == 0);
    CHILD_CHECK(mkfifo(fifo, 0600) == 0);
    CHILD_CHECK(setenv("XDG_RUNTIME_DIR", xdg, 1) == 0);
    alarm(5);
    trace_open("unit", NULL, NULL);             /* nobody reads it */
    CHILD_CHECK(!trace_on());
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    CHILD_CHECK(reader >= 0);
    trace_open("unit", NULL, NULL);             /* someone reads it */
    CHILD_CHECK(!trace_on());
    char c;
    CHILD_CHECK(read(reader, &c, 1) <= 0);      /* and got nothing */
    alarm(0);
}

static void test_open_default_file_is_fifo(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");

    assert_child_ok(in_child(child_default_file_is_fifo, fx, err), err);
    char *text = slurp(err, NULL);
    assert_contains(text, "trace.jsonl is a FIFO (named pipe), not a regular file");
    assert_contains(text, "remove it (rm ");
    assert_int_equal(count_of(text, "\n"), 1);
    free(text);
}

/* A per-user trace.jsonl that belongs to someone else (the directory was
 * looser once) does not receive this user's trace. */
static void child_default_file_not_ours(const struct fx *fx)
{
    char xdg[512], dir[600], file[700];
    struct stat st;

    snprintf(xdg, sizeof xdg, "%s/xdg", fx->dir);
    snprintf(dir, sizeof dir, "%s/mmaplab", xdg);
    snprintf(file, sizeof file, "%s/trace.jsonl", dir);
    CHILD_CHECK(mkdir(xdg, 0700) == 0 && mkdir(dir, 0700) == 0);
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0666);
    CHILD_CHECK(fd >= 0 && fchown(fd, nobody_uid(), (gid_t)-1) == 0);
    CHILD_CHECK(fchmod(fd, 0666) == 0);
    close(fd);
    CHILD_CHECK(setenv("XDG_RUNTIME_DIR", xdg, 1) == 0);
    trace_open("unit", NULL, NULL);
    CHILD_CHECK(!trace_on());
    struct trace_event e;
    trace_begin(&e, "unit", "start", "/x");
    trace_write(&e);
    CHILD_CHECK(stat(file, &st) == 0 && st.st_size == 0);
}

static void test_open_default_file_not_ours(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");

    if (getuid() != 0 || nobody_uid() == 0)
        skip();                 /* only root can give a file away */
    assert_child_ok(in_child(child_default_file_not_ours, fx, err), err);
    char *text = slurp(err, NULL);
    assert_contains(text, "trace.jsonl belongs to uid");
    assert_contains(text, "not to you");
    free(text);
}

/* --trace FIFO: refused without waiting; --trace /dev/null is taken. */
static void child_named_fifo(const struct fx *fx)
{
    char fifo[600];

    snprintf(fifo, sizeof fifo, "%s/named.fifo", fx->dir);
    CHILD_CHECK(mkfifo(fifo, 0600) == 0);
    alarm(5);
    trace_open("unit", fifo, NULL);
    CHILD_CHECK(!trace_on());
    trace_open("unit", NULL, fifo);             /* MMAPLAB_TRACE alike */
    CHILD_CHECK(!trace_on());
    alarm(0);
    trace_open("unit", "/dev/null", NULL);
    CHILD_CHECK(trace_on());
}

static void test_open_named_fifo(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");

    assert_child_ok(in_child(child_named_fifo, fx, err), err);
    char *text = slurp(err, NULL);
    assert_contains(text, "named.fifo is a FIFO (named pipe), not a regular file");
    assert_contains(text, "or a character device such as /dev/null");
    assert_int_equal(count_of(text, "warning"), 1);
    free(text);
}

/* The file cannot be opened: one warning, however many tries. */
static void child_cannot_open(const struct fx *fx)
{
    char path[600];
    struct trace_event e;

    snprintf(path, sizeof path, "%s/missing-dir/t.jsonl", fx->dir);
    trace_open("03-copy", path, NULL);
    CHILD_CHECK(!trace_on());
    trace_begin(&e, "03-copy", "start", "/x");
    trace_write(&e);                    /* a no-op, and no second warning */
    trace_open("03-copy", path, NULL);
    CHILD_CHECK(!trace_on());
}

static void test_open_fails_warns_once(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");

    assert_child_ok(in_child(child_cannot_open, fx, err), err);
    char *text = slurp(err, NULL);
    assert_int_equal(count_of(text, "warning"), 1);
    assert_contains(text, "03-copy: warning: trace cannot be opened: ");
    assert_contains(text, "missing-dir/t.jsonl: No such file or directory");
    assert_contains(text, "the program goes on");
    free(text);
}

/* A write that fails (a full disk) warns once and turns the trace off. */
static void child_write_fails(const struct fx *fx)
{
    struct trace_event e;

    (void)fx;
    trace_open("04-open", "/dev/full", NULL);
    CHILD_CHECK(trace_on());
    for (int i = 0; i < 3; i++) {
        trace_begin(&e, "04-open", "start", "/x");
        errno = EXDEV;
        trace_write(&e);
        CHILD_CHECK(errno == EXDEV);     /* the caller's errno is kept */
        CHILD_CHECK(!trace_on());
    }
}

static void test_write_fails_warns_once(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");

    if (access("/dev/full", W_OK) != 0)
        skip();
    assert_child_ok(in_child(child_write_fails, fx, err), err);
    char *text = slurp(err, NULL);
    assert_int_equal(count_of(text, "warning"), 1);
    assert_contains(text, "04-open: warning: trace write failed: ");
    assert_contains(text, "No space left on device");
    free(text);
}

/* A parent may have closed 0-2: the trace must not take their place, and
 * it is not inherited across exec. */
static void child_low_fds(const struct fx *fx)
{
    char path[600];
    struct trace_event e;

    snprintf(path, sizeof path, "%s/low.jsonl", fx->dir);
    close(STDIN_FILENO);
    trace_open("unit", path, NULL);
    CHILD_CHECK(trace_on());
    CHILD_CHECK(fcntl(STDIN_FILENO, F_GETFD) == -1 && errno == EBADF);
    trace_begin(&e, "unit", "start", "/x");
    trace_write(&e);

    /* find the descriptor and check FD_CLOEXEC */
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int found = 0;
    CHILD_CHECK(d != NULL);
    while ((de = readdir(d)) != NULL) {
        char lp[300], target[700];
        snprintf(lp, sizeof lp, "/proc/self/fd/%s", de->d_name);
        ssize_t n = readlink(lp, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strcmp(target, path) == 0) {
            int fd = atoi(de->d_name);
            CHILD_CHECK(fd > 2);
            CHILD_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
            CHILD_CHECK(fcntl(fd, F_GETFL) & O_APPEND);
            found++;
        }
    }
    closedir(d);
    CHILD_CHECK(found == 1);
}

static void test_open_keeps_clear_of_stdio(void **state)
{
    struct fx *fx = *state;
    const char *err = path_in(fx, "stderr");
    json_t *o[1] = { NULL };

    assert_child_ok(in_child(child_low_fds, fx, err), err);
    assert_int_equal(parse_lines(path_in(fx, "low.jsonl"), o, 1), 1);
    release(o, 1);
}

/* ---- the default directory ------------------------------------------------- */

static int default_path(const struct fx *fx, const char *xdg, char *out,
                        size_t outsz, char *why, size_t whysz)
{
    strcpy(out, "untouched");
    strcpy(why, "");
    return trace_default_path(xdg, fx->dir, getuid(), out, outsz, why, whysz);
}

static void fallback_path(const struct fx *fx, char *want, size_t n)
{
    snprintf(want, n, "%s/mmaplab-%ld/trace.jsonl", fx->dir, (long)getuid());
}

static void assert_mode(const char *path, mode_t want)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        fail_msg("%s: %s", path, strerror(errno));
    assert_true(S_ISDIR(st.st_mode));
    if ((st.st_mode & 07777) != want)
        fail_msg("%s has mode %04o, want %04o", path,
                 (unsigned)(st.st_mode & 07777), (unsigned)want);
}

static void test_default_xdg_ours(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], want[600];
    const char *xdg = path_in(fx, "xdg");

    assert_int_equal(mkdir(xdg, 0700), 0);
    mode_t old = umask(0);
    assert_int_equal(default_path(fx, xdg, out, sizeof out, why, sizeof why), 0);
    umask(old);
    snprintf(want, sizeof want, "%s/mmaplab/trace.jsonl", xdg);
    assert_string_equal(out, want);
    snprintf(want, sizeof want, "%s/mmaplab", xdg);
    assert_mode(want, 0700);
    /* the second time finds it made */
    assert_int_equal(default_path(fx, xdg, out, sizeof out, why, sizeof why), 0);
    /* and the fallback was not made */
    fallback_path(fx, want, sizeof want);
    *strrchr(want, '/') = '\0';
    assert_int_equal(access(want, F_OK), -1);
}

static void test_default_xdg_not_ours(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], want[600];
    const char *xdg = path_in(fx, "xdg");

    if (getuid() != 0)
        skip();                   /* giving a directory away needs root */
    assert_int_equal(mkdir(xdg, 0755), 0);
    assert_int_equal(chown(xdg, nobody_uid(), (gid_t)-1), 0);
    assert_int_equal(default_path(fx, xdg, out, sizeof out, why, sizeof why), 0);
    fallback_path(fx, want, sizeof want);
    assert_string_equal(out, want);
    /* nothing was made in the other user's directory */
    snprintf(want, sizeof want, "%s/mmaplab", xdg);
    assert_int_equal(access(want, F_OK), -1);
    *strrchr(out, '/') = '\0';
    assert_mode(out, 0700);
}

static void test_default_xdg_unusable(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], want[600], real[600];
    const char *link = path_in(fx, "xdg-link");
    const char *file = path_in(fx, "xdg-file");

    fallback_path(fx, want, sizeof want);
    /* a symbolic link to a directory of ours */
    snprintf(real, sizeof real, "%s/real", fx->dir);
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(default_path(fx, link, out, sizeof out, why, sizeof why), 0);
    assert_string_equal(out, want);
    snprintf(real, sizeof real, "%s/real/mmaplab", fx->dir);
    assert_int_equal(access(real, F_OK), -1);
    /* missing, not set, empty, relative, not a directory */
    assert_int_equal(default_path(fx, path_in(fx, "nope"), out, sizeof out,
                                  why, sizeof why), 0);
    assert_string_equal(out, want);
    assert_int_equal(default_path(fx, NULL, out, sizeof out, why, sizeof why), 0);
    assert_string_equal(out, want);
    assert_int_equal(default_path(fx, "", out, sizeof out, why, sizeof why), 0);
    assert_string_equal(out, want);
    assert_int_equal(default_path(fx, ".", out, sizeof out, why, sizeof why), 0);
    assert_string_equal(out, want);
    int fd = open(file, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(default_path(fx, file, out, sizeof out, why, sizeof why), 0);
    assert_string_equal(out, want);
}

/* The fallback directory is made 0700, and one that is open to others is
 * closed. */
static void test_default_fallback_made_private(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], dir[600];
    static const mode_t modes[] = { 0755, 0777, 0701, 0750, 01777 };

    fallback_path(fx, dir, sizeof dir);
    *strrchr(dir, '/') = '\0';
    mode_t old = umask(0);
    assert_int_equal(default_path(fx, NULL, out, sizeof out, why, sizeof why), 0);
    umask(old);
    assert_mode(dir, 0700);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        assert_int_equal(chmod(dir, modes[i]), 0);
        assert_int_equal(default_path(fx, NULL, out, sizeof out, why, sizeof why), 0);
        assert_mode(dir, 0700);
    }
}

static void test_default_fallback_is_link(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], dir[600], real[600];

    fallback_path(fx, dir, sizeof dir);
    *strrchr(dir, '/') = '\0';
    snprintf(real, sizeof real, "%s/elsewhere", fx->dir);
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, dir), 0);
    assert_int_equal(default_path(fx, NULL, out, sizeof out, why, sizeof why), -1);
    assert_contains(why, dir);
    assert_contains(why, "symbolic link");
    /* a dangling link is no better */
    assert_int_equal(rmdir(real), 0);
    assert_int_equal(default_path(fx, NULL, out, sizeof out, why, sizeof why), -1);
    assert_contains(why, "symbolic link");
    assert_int_equal(access(real, F_OK), -1);   /* not made through the link */
}

static void test_default_fallback_not_ours(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], dir[600], want[100];

    if (getuid() != 0)
        skip();
    fallback_path(fx, dir, sizeof dir);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(chown(dir, nobody_uid(), (gid_t)-1), 0);
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(default_path(fx, NULL, out, sizeof out, why, sizeof why), -1);
    assert_contains(why, dir);
    snprintf(want, sizeof want, "belongs to uid %ld", (long)nobody_uid());
    assert_contains(why, want);
    assert_contains(why, "not to you");
    /* someone else's directory is left as it was */
    assert_mode(dir, 0777);
}

static void test_default_fallback_not_a_dir(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], dir[600];

    fallback_path(fx, dir, sizeof dir);
    *strrchr(dir, '/') = '\0';
    int fd = open(dir, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(default_path(fx, NULL, out, sizeof out, why, sizeof why), -1);
    assert_contains(why, "not a directory");
    /* and a tmp that does not exist */
    assert_int_equal(trace_default_path(NULL, path_in(fx, "no-tmp"), getuid(),
                                        out, sizeof out, why, sizeof why), -1);
    assert_contains(why, "cannot make");
    assert_contains(why, "No such file or directory");
}

/* The directory in XDG_RUNTIME_DIR is ours, but mmaplab/ in it is a link
 * or someone else's: the trace is off, not moved elsewhere. */
static void test_default_xdg_subdir_unsafe(void **state)
{
    struct fx *fx = *state;
    char out[600], why[600], sub[600], real[600];
    const char *xdg = path_in(fx, "xdg");

    assert_int_equal(mkdir(xdg, 0700), 0);
    snprintf(sub, sizeof sub, "%s/mmaplab", xdg);
    snprintf(real, sizeof real, "%s/real", fx->dir);
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, sub), 0);
    assert_int_equal(default_path(fx, xdg, out, sizeof out, why, sizeof why), -1);
    assert_contains(why, "symbolic link");
    if (getuid() == 0) {
        assert_int_equal(unlink(sub), 0);
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(chown(sub, nobody_uid(), (gid_t)-1), 0);
        assert_int_equal(default_path(fx, xdg, out, sizeof out, why, sizeof why), -1);
        assert_contains(why, "belongs to uid");
    }
}

static void test_default_small_buffer(void **state)
{
    struct fx *fx = *state;
    char out[24], why[600];

    memset(out, '#', sizeof out);
    assert_int_equal(trace_default_path(NULL, fx->dir, getuid(), out, 20,
                                        why, sizeof why), -1);
    assert_contains(why, "too long");
    assert_int_equal(out[20], '#');
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_record_keys_and_types),
        T(test_record_escaped_and_capped),
        T(test_record_overflow),
        T(test_record_appends),
        T(test_write_when_off),
        T(test_concurrent_appends),
        T(test_open_flag_env_off),
        T(test_open_modes),
        T(test_open_default_in_xdg),
        T(test_open_default_file_is_link),
        T(test_open_default_file_is_fifo),
        T(test_open_default_file_not_ours),
        T(test_open_named_fifo),
        T(test_open_fails_warns_once),
        T(test_write_fails_warns_once),
        T(test_open_keeps_clear_of_stdio),
        T(test_default_xdg_ours),
        T(test_default_xdg_not_ours),
        T(test_default_xdg_unusable),
        T(test_default_fallback_made_private),
        T(test_default_fallback_is_link),
        T(test_default_fallback_not_ours),
        T(test_default_fallback_not_a_dir),
        T(test_default_xdg_subdir_unsafe),
        T(test_default_small_buffer),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
#undef T
}
