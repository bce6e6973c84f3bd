/* test_narrate.c — the library as a numbered program uses it: ml_start's
 * options and usage errors (exit 2), ml_call/ml_result narration and the
 * call events they record, explained failures (exit 1), ml_expect, holds
 * (a line, end of input, --no-hold), --step pausing before each call,
 * quiet, colour only on a terminal, and the trace's default and trouble.
 *
 * Each case runs a small program body in a forked child, as a student
 * would run a program: stdin a pipe the test writes to, stdout and stderr
 * captured to files, the trace to a file; the test then checks the exit
 * status, what was printed and every event.  Objects are named
 * /mmaplab-unit-PID-N and removed in teardown; files live in a temporary
 * directory /tmp/mmaplab-unit-XXXXXX.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "traceline.h"
#include "mmaplab.h"

#define MAX_EVENTS 64
#define TIMEOUT_MS 20000

/* ---- the programs ---------------------------------------------------------- */

static const struct ml_prog prog_full = {
    .name = "unit-narrate",
    .summary = "a program for the library's unit tests",
    .teaches = "What the library does around each call.",
    .prev = "01-create",
    .next = "05-close",
    .win32 = "CreateFileMapping(INVALID_HANDLE_VALUE, ...)",
    .takes = ML_TAKES_SIZE | ML_TAKES_MESSAGE | ML_TAKES_HOLD,
};

static const struct ml_prog prog_plain = {
    .name = "unit-plain",
    .summary = "a program that takes no size, message or hold",
    .teaches = "Nothing much.",
    .prev = NULL,
    .next = NULL,
    .win32 = "OpenFileMapping(...)",
    .takes = 0,
};

/* A program with options of its own, each stored by the library. */
static bool own_flag;
static const char *own_text = "unset";
static off_t own_size = 1;
static long long own_count = 3;
static const struct ml_option own_opts[] = {
    { "flag", 'f', NULL, "a flag", .kind = ML_FLAG, .to = &own_flag },
    { "text", 256, "TEXT", "a text", .kind = ML_TEXT, .to = &own_text },
    { "room", 'r', "SIZE", "a size", .kind = ML_SIZE, .to = &own_size },
    { "count", 257, "N", "a count", .kind = ML_COUNT, .to = &own_count, .min = 2, .max = 9 },
    { .name = NULL },
};
static const struct ml_prog prog_own = {
    .name = "unit-own",
    .summary = "a program with options of its own",
    .teaches = "Its own options.",
    .win32 = "(none)",
    .takes = ML_TAKES_DIR,
    .own = own_opts,
};

/* The program a child runs (set before the fork). */
static const struct ml_prog *g_prog = &prog_full;

struct fx {
    char dir[64];
    char name[64];         /* this test's object name */
    char trace[128];       /* this test's trace file */
};

static int name_seq;

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st; (void)ftw;
    if (flag == FTW_DP || flag == FTW_D)
        return rmdir(path);
    return unlink(path);
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);

    if (fx == NULL)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/mmaplab-unit-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    snprintf(fx->name, sizeof fx->name, "/mmaplab-unit-%ld-%d", (long)getpid(),
             ++name_seq);
    snprintf(fx->trace, sizeof fx->trace, "%s/trace.jsonl", fx->dir);
    g_prog = &prog_full;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;

    shm_unlink(fx->name);           /* whatever the test left, if anything */
    int rc = nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return rc;
}

static bool shm_exists(const char *name)
{
    char path[128];

    snprintf(path, sizeof path, "/dev/shm%s", name);
    return access(path, F_OK) == 0;
}

/* ---- program bodies (run in the child) ------------------------------------ */

/* The whole life of an object, every call narrated. */
static void body_walk(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("create", "make the object");
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, BUF_SIZE, szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    int fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    ml_call("ftruncate", "(none)", "%d, %lld", fd, (long long)o.size);
    if (!ml_result(ftruncate(fd, o.size)))
        ml_exit(ML_FAILED);
    ml_step("map", "map it");
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE)",
            "NULL, %lld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0",
            (long long)o.size, fd);
    ml_call_range(NULL, (size_t)o.size, 0);
    char *p = mmap(NULL, (size_t)o.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!ml_result_ptr(p))
        ml_exit(ML_FAILED);
    ml_step("copy", "copy the message");
    size_t len = strlen(o.message) + 1;
    ml_call("memcpy", "CopyMemory((PVOID)pBuf, szMsg, ...)", "%p, \"%s\", %zu",
            (void *)p, o.message, len);
    ml_call_range(p, len, 16);
    ml_result_ptr(memcpy(p, o.message, len));
    ml_dump(p, len, 0);
    ml_say("the message is in the page now");
    ml_step("unmap", "unmap");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %lld", (void *)p, (long long)o.size);
    ml_call_range(p, (size_t)o.size, -1);          /* no offset */
    if (!ml_result(munmap(p, (size_t)o.size)))
        ml_exit(ML_FAILED);
    ml_step("close", "close");
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    if (!ml_result(close(fd)))
        ml_exit(ML_FAILED);
    ml_step("unlink", "remove the name");
    ml_call("shm_unlink", "(none)", "\"%s\"", o.name);
    if (!ml_result(shm_unlink(o.name)))
        ml_exit(ML_FAILED);
    ml_next("ls -l /dev/shm shows it is gone");
    ml_exit(ML_DONE);
}

/* Open an object that may not be there; a failure is explained. */
static void body_open(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("open", "open by name");
    ml_call("shm_open", "OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName)",
            "\"%s\", O_RDWR, 0", o.name);
    int fd = shm_open(o.name, O_RDWR, 0);
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    close(fd);
    ml_exit(ML_DONE);
}

static void body_create_excl(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("create", "make it");
    ml_call("shm_open", "CreateFileMapping(...)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    int fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    close(fd);
    shm_unlink(o.name);
    ml_exit(ML_DONE);
}

/* A read-only descriptor mapped writable: EACCES from mmap. */
static void body_mmap_readonly(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("map", "map it writable");
    ml_call("shm_open", "OpenFileMapping(FILE_MAP_READ, ...)", "\"%s\", O_RDONLY, 0",
            o.name);
    int fd = shm_open(o.name, O_RDONLY, 0);
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    ml_call("mmap", "MapViewOfFile(...)",
            "NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", fd);
    ml_call_range(NULL, 4096, 0);
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!ml_result_ptr(p))
        ml_exit(ML_FAILED);
    ml_exit(ML_DONE);
}

/* The failure is the point. */
static void body_expect_enoent(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("open", "open a name that is gone");
    ml_call("shm_open", "OpenFileMapping(...)", "\"%s\", O_RDWR, 0", o.name);
    ml_expect(ENOENT);
    int fd = shm_open(o.name, O_RDWR, 0);
    bool ok = ml_result(fd);
    printf("BODY ok=%d expected=%d errno=%d\n", ok, ml_failed_as_expected(), errno);
    ml_exit(!ok && ml_failed_as_expected() ? ML_DONE : ML_FAILED);
}

/* Expected to fail, but it succeeds. */
static void body_expect_but_succeeds(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("close", "close a descriptor that is open");
    int fd = dup(STDOUT_FILENO);
    ml_call("close", "CloseHandle(h)", "%d", fd);
    ml_expect(EBADF);
    bool ok = ml_result(close(fd));
    printf("BODY ok=%d expected=%d\n", ok, ml_failed_as_expected());
    ml_exit(ok && !ml_failed_as_expected() ? ML_DONE : ML_FAILED);
}

/* Expected to fail one way, fails another: explained as an error. */
static void body_expect_other_error(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("close", "close");
    ml_call("close", "CloseHandle(h)", "%d", -1);
    ml_expect(ENOENT);
    bool ok = ml_result(close(-1));
    ml_exit(!ok && ml_failed_as_expected() ? ML_DONE : ML_FAILED);
}

/* Hold, then show what is left on stdin. */
static void body_hold(int argc, char **argv)
{
    struct ml_opts o;
    char rest[128];
    size_t n = 0;
    ssize_t r;

    ml_start(g_prog, argc, argv, &o);
    ml_step("copy", "pretend to copy");
    ml_hold("waiting for %s", "the reader");
    while (n < sizeof rest - 1 &&
           (r = read(STDIN_FILENO, rest + n, sizeof rest - 1 - n)) > 0)
        n += (size_t)r;
    rest[n] = '\0';
    printf("BODY rest=[%s]\n", rest);
    ml_exit(ML_DONE);
}

/* Three calls, for --step. */
static void body_step(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("create", "make it");
    ml_call("shm_open", "CreateFileMapping(...)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    int fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    ml_step("close", "close it");
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    if (!ml_result(close(fd)))
        ml_exit(ML_FAILED);
    ml_step("unlink", "remove it");
    ml_call("shm_unlink", "(none)", "\"%s\"", o.name);
    if (!ml_result(shm_unlink(o.name)))
        ml_exit(ML_FAILED);
    ml_exit(ML_DONE);
}

/* Show what ml_start made of the command line. */
static void body_opts(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    printf("BODY name=%s size=%lld message=%s step=%d hold=%d quiet=%d "
           "operands=%d\n", o.name, (long long)o.size, o.message, o.step,
           o.hold, o.quiet, o.noperands);
    ml_exit(ML_DONE);
}

static void body_own(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    printf("BODY dir=%s flag=%d text=%s room=%lld count=%lld\n", o.dir, own_flag,
           own_text, (long long)own_size, own_count);
    ml_exit(ML_DONE);
}

/* Results reported as an error number (pthread style), a NULL without
 * errno, an explained non-call error, another object. */
static void body_misc(int argc, char **argv)
{
    struct ml_opts o;

    ml_start(g_prog, argc, argv, &o);
    ml_step("lock", "take the lock");
    ml_call("pthread_mutex_lock", "WaitForSingleObject(hMutex, INFINITE)", "&m->lock");
    ml_expect(EOWNERDEAD);
    ml_result_err(EOWNERDEAD);
    ml_call("pthread_mutex_consistent", "(none)", "&m->lock");
    ml_result_err(0);
    ml_set_object("/tmp/some file.bin");
    ml_step("read", "read a file");
    ml_call("fopen", "CreateFile(...)", "\"%s\", \"r\"", "/tmp/some file.bin");
    errno = 0;
    ml_result_ptr(NULL);
    ml_error("the message is %d bytes and the object holds %d", 300, 256);
    ml_exit(ML_USAGE);
}

/* ---- the child and what it left -------------------------------------------- */

typedef void (*body_fn)(int, char **);

struct child {
    pid_t pid;
    int in;                /* write end of its stdin, -1 once closed */
    char out[128], err[128];
};

struct result {
    int status;
    char *out, *err;
    int nev;
    json_t **ev;           /* MAX_EVENTS of them */
};

/* Start body in a child: argv[0] is the program's name, then the NULL-ended
 * arguments.  env is a NULL-ended list of "NAME=value" to set or "NAME" to
 * unset, applied after the defaults (MMAPLAB_TRACE=off, no MMAPLAB_NAME,
 * NO_COLOR=1, XDG_RUNTIME_DIR a directory that does not exist). */
static void spawn_v(const struct fx *fx, struct child *c, body_fn body,
                    const char *const *env, const char *const *args)
{
    int pfd[2];
    char *argv[32];
    int argc = 0;

    argv[argc++] = (char *)g_prog->name;
    for (; *args && argc < 31; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    snprintf(c->out, sizeof c->out, "%s/stdout", fx->dir);
    snprintf(c->err, sizeof c->err, "%s/stderr", fx->dir);
    assert_int_equal(pipe(pfd), 0);
    fflush(NULL);
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        char nodir[128];
        int o = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(c->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0 || dup2(pfd[0], 0) < 0 || dup2(o, 1) < 0 ||
            dup2(e, 2) < 0)
            _exit(98);
        close(o);
        close(e);
        close(pfd[0]);
        close(pfd[1]);
        snprintf(nodir, sizeof nodir, "%s/no-xdg", fx->dir);
        setenv("MMAPLAB_TRACE", "off", 1);
        unsetenv("MMAPLAB_NAME");
        setenv("NO_COLOR", "1", 1);
        setenv("XDG_RUNTIME_DIR", nodir, 1);
        for (; env && *env; env++) {
            const char *eq = strchr(*env, '=');
            if (eq) {
                char k[64];
                snprintf(k, sizeof k, "%.*s", (int)(eq - *env), *env);
                setenv(k, eq + 1, 1);
            } else {
                unsetenv(*env);
            }
        }
        body(argc, argv);
        _exit(77);                       /* the body must end in ml_exit */
    }
    close(pfd[0]);
    c->in = pfd[1];
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...)  ((const char *const[]){ __VA_ARGS__, NULL })

static void child_write(struct child *c, const char *s)
{
    assert_true(c->in >= 0);
    assert_int_equal(write(c->in, s, strlen(s)), (ssize_t)strlen(s));
}

static void child_close_stdin(struct child *c)
{
    if (c->in >= 0)
        close(c->in);
    c->in = -1;
}

/* Still running?  (WNOWAIT: a child that is gone stays to be reaped.) */
static bool child_running(const struct child *c)
{
    siginfo_t info;

    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOHANG | WNOWAIT) == -1)
        return false;
    return info.si_pid == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t n = 0, cap = 4096;

    if (f == NULL)
        return strdup("");
    buf = malloc(cap);
    for (;;) {
        if (n + 1024 + 1 > cap)
            buf = realloc(buf, cap *= 2);
        size_t r = fread(buf + n, 1, 1024, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Parse a trace file into ev; returns how many lines it has (-1: none).
 * Fails the test on a line that is not one whole JSON object. */
static int read_trace(const char *path, json_t **ev)
{
    for (int i = 0; i < MAX_EVENTS; i++) {
        json_decref(ev[i]);
        ev[i] = NULL;
    }
    if (access(path, F_OK) != 0)
        return -1;
    char *text = slurp(path);
    int n = 0;
    for (char *p = text; *p; ) {
        char *nl = strchr(p, '\n');
        if (nl == NULL)
            fail_msg("trace line %d has no newline: %s", n + 1, p);
        json_error_t why;
        json_t *o = traceline_read(p, (size_t)(nl - p), &why);
        if (o == NULL)
            fail_msg("trace line %d is not one JSON object (%s): %.*s", n + 1,
                     why.text, (int)(nl - p), p);
        if (n < MAX_EVENTS)
            ev[n] = o;
        else
            json_decref(o);
        n++;
        p = nl + 1;
    }
    free(text);
    return n;
}

static json_t **new_events(void)
{
    json_t **ev = calloc(MAX_EVENTS, sizeof *ev);
    assert_non_null(ev);
    return ev;
}

static void free_events(json_t **ev)
{
    for (int i = 0; i < MAX_EVENTS; i++)
        json_decref(ev[i]);
    free(ev);
}

static int count_events(json_t *const *ev, int n, const char *event)
{
    int k = 0;
    for (int i = 0; i < n && i < MAX_EVENTS; i++)
        if (strcmp(traceline_str(ev[i], "event"), event) == 0)
            k++;
    return k;
}

/* Wait until the trace holds count events named event. */
static void wait_event(const struct fx *fx, const struct child *c,
                       const char *event, int count)
{
    json_t **ev = new_events();

    for (int waited = 0; ; waited += 10) {
        int n = read_trace(fx->trace, ev);
        if (n > 0 && count_events(ev, n, event) >= count)
            break;
        if (waited > TIMEOUT_MS || !child_running(c)) {
            char *err = slurp(c->err);
            fail_msg("no %d '%s' events after %d ms (child %s); stderr: %s",
                     count, event, waited, child_running(c) ? "running" : "gone",
                     err);
        }
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    free_events(ev);
}

/* Close its stdin, wait for it (with a timeout) and collect everything. */
static struct result *finish(const struct fx *fx, struct child *c)
{
    struct result *r = calloc(1, sizeof *r);
    int st, waited = 0;

    child_close_stdin(c);
    for (;;) {
        pid_t w = waitpid(c->pid, &st, WNOHANG);
        if (w == c->pid)
            break;
        if (w == -1)
            fail_msg("waitpid: %s", strerror(errno));
        if (waited > TIMEOUT_MS) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, &st, 0);
            fail_msg("the child did not finish in %d ms", TIMEOUT_MS);
        }
        struct timespec ts = { 0, 5 * 1000000L };
        nanosleep(&ts, NULL);
        waited += 5;
    }
    r->status = st;
    r->out = slurp(c->out);
    r->err = slurp(c->err);
    r->ev = new_events();
    r->nev = read_trace(fx->trace, r->ev);
    return r;
}

static struct result *run_v(const struct fx *fx, body_fn body,
                            const char *const *env, const char *const *args,
                            const char *input)
{
    struct child c;

    spawn_v(fx, &c, body, env, args);
    if (input)
        child_write(&c, input);
    return finish(fx, &c);
}

static void free_result(struct result *r)
{
    free(r->out);
    free(r->err);
    free_events(r->ev);
    free(r);
}

static void assert_exit(const struct result *r, int want)
{
    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != want)
        fail_msg("status 0x%x, want exit %d\nstdout: %s\nstderr: %s",
                 r->status, want, r->out, r->err);
}

/* The events, in order, are exactly the NULL-ended list. */
static void assert_sequence(const struct result *r, const char *const *want)
{
    char got[1024] = "", exp[1024] = "";

    for (int i = 0; i < r->nev && i < MAX_EVENTS; i++) {
        strcat(got, traceline_str(r->ev[i], "event"));
        strcat(got, " ");
    }
    for (; *want; want++) {
        strcat(exp, *want);
        strcat(exp, " ");
    }
    if (strcmp(got, exp) != 0)
        fail_msg("events: %s\nwant:   %s", got, exp);
}

#define SEQ(...) assert_sequence(r, (const char *const[]){ __VA_ARGS__, NULL })

/* Every event has the common keys with the right types, from this child,
 * in time order. */
static void assert_well_formed(const struct result *r, const char *object)
{
    long long last = 0, pid = -1;

    assert_true(r->nev > 0);
    for (int i = 0; i < r->nev; i++) {
        const json_t *e = r->ev[i];
        static const char *ints[] = { "v", "ts_ns", "pid" };
        for (int k = 0; k < 3; k++)
            if (!json_is_integer(json_object_get(e, ints[k])))
                fail_msg("event %d: %s missing or not an integer", i, ints[k]);
        assert_int_equal(traceline_int(e, "v"), 1);
        assert_non_null(traceline_str(e, "prog"));
        assert_non_null(traceline_str(e, "event"));
        assert_non_null(traceline_str(e, "object"));
        assert_string_equal(traceline_str(e, "prog"), traceline_str(r->ev[0], "prog"));
        if (object)
            assert_string_equal(traceline_str(e, "object"), object);
        long long ts = traceline_int(e, "ts_ns");
        assert_true(ts >= last);
        last = ts;
        if (pid == -1)
            pid = traceline_int(e, "pid");
        assert_int_equal(traceline_int(e, "pid"), pid);
    }
}

static const json_t *nth_event(const struct result *r, const char *event,
                                        int nth)
{
    for (int i = 0; i < r->nev; i++)
        if (strcmp(traceline_str(r->ev[i], "event"), event) == 0 && nth-- == 0)
            return r->ev[i];
    fail_msg("no event '%s' number %d", event, nth);
    return NULL;
}

static const json_t *call_event(const struct result *r, const char *call)
{
    for (int i = 0; i < r->nev; i++)
        if (strcmp(traceline_str(r->ev[i], "event"), "call") == 0 &&
            strcmp(traceline_str(r->ev[i], "call"), call) == 0)
            return r->ev[i];
    fail_msg("no call event for %s", call);
    return NULL;
}

static bool get_bool(const json_t *e, const char *key)
{
    const json_t *f = json_object_get(e, key);
    if (!json_is_boolean(f))
        fail_msg("%s missing or not a bool", key);
    return json_is_true(f);
}

static long long get_int(const json_t *e, const char *key)
{
    const json_t *f = json_object_get(e, key);
    if (!json_is_integer(f))
        fail_msg("%s missing or not an integer", key);
    return json_integer_value(f);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* ---- narration of calls ------------------------------------------------------ */

static void test_call_narration_and_events(void **state)
{
    struct fx *fx = *state;
    char line[512];
    struct result *r = run_v(fx, body_walk, NULL,
        ARGS("-n", fx->name, "-s", "4k", "-m", "Hello \"you\"", "--trace",
             fx->trace), "");

    assert_exit(r, 0);
    assert_string_equal(r->err, "");
    assert_false(shm_exists(fx->name));
    /* the heading */
    assert_contains(r->out, "unit-narrate: a program for the library's unit tests\n");
    snprintf(line, sizeof line, "  object %s   pid ", fx->name);
    assert_contains(r->out, line);
    assert_contains(r->out, "Win32: CreateFileMapping(INVALID_HANDLE_VALUE, ...)\n");
    /* steps, calls with their results and Win32 counterparts */
    assert_contains(r->out, "\n[create] make the object\n");
    snprintf(line, sizeof line,
             "  shm_open(\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600) = ", fx->name);
    assert_contains(r->out, line);
    assert_contains(r->out,
        "   [Win32: CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, BUF_SIZE, szName)]\n");
    assert_contains(r->out, ", 4096) = 0   [Win32: (none)]\n");
    assert_contains(r->out, "  mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ");
    assert_contains(r->out, ", 0) = 0x");
    /* a message is outside text: its quotes are escaped, as 04-open shows them */
    assert_contains(r->out, "\"Hello \\\"you\\\"\", 12) = 0x");
    /* the dump of the copied bytes, and ml_say, ml_next */
    assert_contains(r->out, "    00000000  48 65 6c 6c 6f 20 22 79  6f 75 22 00");
    assert_contains(r->out, "|Hello \"you\".|\n");
    assert_contains(r->out, "  the message is in the page now\n");
    assert_contains(r->out, "\nNext: ls -l /dev/shm shows it is gone\n");
    assert_lacks(r->out, "\033[");
    assert_lacks(r->out, "expected");

    /* the trace: every event whole, in order */
    assert_well_formed(r, fx->name);
    SEQ("start", "step", "call", "call", "step", "call", "step", "call", "step",
        "call", "step", "call", "step", "call", "exit");
    assert_string_equal(traceline_str(r->ev[0], "prog"), "unit-narrate");
    const json_t *e = nth_event(r, "step", 0);
    assert_string_equal(traceline_str(e, "step"), "create");
    assert_string_equal(traceline_str(e, "message"), "make the object");

    e = call_event(r, "shm_open");
    assert_string_equal(traceline_str(e, "step"), "create");
    snprintf(line, sizeof line, "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", fx->name);
    assert_string_equal(traceline_str(e, "args"), line);
    long long fd = atoll(traceline_str(e, "ret"));
    assert_true(fd >= 3);
    assert_string_equal(traceline_str(e, "errno"), "0");
    assert_string_equal(traceline_str(e, "win32"),
        "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, BUF_SIZE, szName)");
    assert_false(get_bool(e, "expected"));
    assert_null(json_object_get(e, "addr"));            /* no span, no addr/len */
    assert_null(json_object_get(e, "len"));

    e = call_event(r, "ftruncate");
    assert_string_equal(traceline_str(e, "ret"), "0");
    snprintf(line, sizeof line, "%lld, 4096", fd);
    assert_string_equal(traceline_str(e, "args"), line);

    /* mmap: the address is the result */
    e = call_event(r, "mmap");
    assert_string_equal(traceline_str(e, "step"), "map");
    const char *ret = traceline_str(e, "ret");
    assert_memory_equal(ret, "0x", 2);
    assert_string_equal(traceline_str(e, "addr"), ret);
    assert_int_equal(get_int(e, "len"), 4096);
    assert_int_equal(get_int(e, "offset"), 0);

    /* memcpy: the address given to ml_call_range */
    const json_t *m = call_event(r, "memcpy");
    assert_string_equal(traceline_str(m, "step"), "copy");
    assert_string_equal(traceline_str(m, "addr"), ret);
    assert_int_equal(get_int(m, "len"), 12);
    assert_int_equal(get_int(m, "offset"), 16);
    assert_contains(traceline_str(m, "args"), "\"Hello \\\"you\\\"\", 12");

    e = call_event(r, "munmap");
    assert_string_equal(traceline_str(e, "step"), "unmap");
    assert_string_equal(traceline_str(e, "addr"), ret);
    assert_int_equal(get_int(e, "len"), 4096);
    assert_null(json_object_get(e, "offset"));
    assert_string_equal(traceline_str(call_event(r, "close"), "step"), "close");
    assert_string_equal(traceline_str(call_event(r, "shm_unlink"), "step"), "unlink");
    e = nth_event(r, "exit", 0);
    assert_int_equal(get_int(e, "status"), 0);
    free_result(r);
}

/* A call that fails unexpectedly: the line, errno by name and text, the
 * hint on stderr; an error event; exit 1. */
static void test_call_fails_explained(void **state)
{
    struct fx *fx = *state;
    char line[512];
    struct result *r = run_v(fx, body_open, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), "");

    assert_exit(r, 1);
    snprintf(line, sizeof line,
             "  shm_open(\"%s\", O_RDWR, 0) = -1 ENOENT (No such file or directory)"
             "   [Win32: OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName)]\n",
             fx->name);
    assert_contains(r->out, line);
    assert_contains(r->err, "unit-narrate: error: shm_open failed: ENOENT "
                            "(No such file or directory)\n");
    snprintf(line, sizeof line,
             "unit-narrate: next: there is no shared memory object named %s; "
             "run 01-create first (01-create -n %s)\n", fx->name, fx->name);
    assert_contains(r->err, line);

    assert_well_formed(r, fx->name);
    SEQ("start", "step", "call", "error", "exit");
    const json_t *e = call_event(r, "shm_open");
    assert_string_equal(traceline_str(e, "ret"), "-1");
    assert_string_equal(traceline_str(e, "errno"), "ENOENT");
    assert_false(get_bool(e, "expected"));
    e = nth_event(r, "error", 0);
    assert_contains(traceline_str(e, "message"), "shm_open failed: ENOENT (No such file or directory)");
    assert_contains(traceline_str(e, "message"), "run 01-create first");
    assert_int_equal(get_int(nth_event(r, "exit", 0), "status"), 1);
    free_result(r);
}

/* EEXIST names the existing object's owner (user and uid) and mode. */
static void test_call_eexist_names_owner(void **state)
{
    struct fx *fx = *state;
    char want[256];

    int fd = shm_open(fx->name, O_CREAT | O_EXCL | O_RDWR, 0640);
    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, 0640), 0);
    close(fd);
    struct result *r = run_v(fx, body_create_excl, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), "");
    assert_exit(r, 1);
    struct passwd *me = getpwuid(getuid());
    snprintf(want, sizeof want, "owned by %s (uid %ld), mode 0640",
             me ? me->pw_name : "a user with no name", (long)getuid());
    assert_contains(r->err, "shm_open failed: EEXIST (File exists)");
    assert_contains(r->err, want);
    assert_contains(r->err, "you made");   /* the user's own leftover */
    assert_string_equal(traceline_str(call_event(r, "shm_open"), "errno"), "EEXIST");
    assert_contains(traceline_str(nth_event(r, "error", 0), "message"), want);
    assert_true(shm_exists(fx->name));       /* the other's object is kept */
    free_result(r);
}

/* mmap's EACCES: the hint is about the descriptor's access mode. */
static void test_call_mmap_eacces(void **state)
{
    struct fx *fx = *state;

    int fd = shm_open(fx->name, O_CREAT | O_EXCL | O_RDWR, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 4096), 0);
    close(fd);
    struct result *r = run_v(fx, body_mmap_readonly, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), "");
    assert_exit(r, 1);
    assert_contains(r->out, "= MAP_FAILED EACCES (Permission denied)");
    assert_contains(r->err, "mmap failed: EACCES (Permission denied)");
    assert_contains(r->err, "O_RDWR");
    const json_t *e = call_event(r, "mmap");
    assert_string_equal(traceline_str(e, "ret"), "MAP_FAILED");
    assert_string_equal(traceline_str(e, "errno"), "EACCES");
    assert_null(json_object_get(e, "addr"));        /* no address to show */
    assert_int_equal(get_int(e, "len"), 4096);
    free_result(r);
}

/* ---- ml_expect --------------------------------------------------------------- */

static void test_expect_failure_is_the_point(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_expect_enoent, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), "");

    assert_exit(r, 0);
    assert_string_equal(r->err, "");         /* not an error */
    assert_contains(r->out, "O_RDWR, 0) = -1 ENOENT (No such file or directory)");
    assert_contains(r->out, "  expected: this failure is the point: there is no "
                            "shared memory object named");
    assert_contains(r->out, "BODY ok=0 expected=1 errno=2\n");
    SEQ("start", "step", "call", "exit");    /* no error event */
    const json_t *e = call_event(r, "shm_open");
    assert_true(get_bool(e, "expected"));
    assert_string_equal(traceline_str(e, "errno"), "ENOENT");
    free_result(r);

    /* quiet: the expected failure is not shown at all */
    r = run_v(fx, body_expect_enoent, NULL,
              ARGS("-q", "-n", fx->name, "--trace", "off"), "");
    assert_exit(r, 0);
    assert_string_equal(r->out, "BODY ok=0 expected=1 errno=2\n");
    assert_string_equal(r->err, "");
    free_result(r);
}

static void test_expect_but_succeeds(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_expect_but_succeeds, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), "");

    assert_exit(r, 0);
    assert_contains(r->out, ") = 0   [Win32: CloseHandle(h)]\n");
    assert_contains(r->out, "  note: it was expected to fail with EBADF, and did not\n");
    assert_contains(r->out, "BODY ok=1 expected=0\n");
    const json_t *e = call_event(r, "close");
    assert_true(get_bool(e, "expected"));    /* it was meant to fail */
    assert_string_equal(traceline_str(e, "errno"), "0");
    free_result(r);
}

static void test_expect_other_error(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_expect_other_error, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), "");

    assert_exit(r, 1);
    assert_contains(r->err, "close failed: EBADF (Bad file descriptor)");
    assert_contains(r->err, "not open in this process");
    assert_lacks(r->out, "this failure is the point");
    SEQ("start", "step", "call", "error", "exit");
    assert_string_equal(traceline_str(call_event(r, "close"), "errno"), "EBADF");
    free_result(r);
}

/* ---- holds ------------------------------------------------------------------- */

/* The hold waits for a line: the program is still there, its output is
 * flushed, and only the line is taken from stdin. */
static void test_hold_waits_for_a_line(void **state)
{
    struct fx *fx = *state;
    struct child c;

    spawn_v(fx, &c, body_hold, NULL, ARGS("-n", fx->name, "--trace", fx->trace));
    wait_event(fx, &c, "hold", 1);
    struct timespec ts = { 0, 100 * 1000000L };
    nanosleep(&ts, NULL);
    assert_true(child_running(&c));
    char *out = slurp(c.out);
    assert_contains(out, "\n[hold] waiting for the reader\n  Press Enter to go on.\n");
    free(out);
    json_t **ev = new_events();
    assert_int_equal(count_events(ev, read_trace(fx->trace, ev), "resume"), 0);
    free_events(ev);

    child_write(&c, "\nleft for later\n");
    struct result *r = finish(fx, &c);
    assert_exit(r, 0);
    assert_contains(r->out, "BODY rest=[left for later\n]\n");
    assert_well_formed(r, fx->name);
    SEQ("start", "step", "hold", "resume", "exit");
    assert_string_equal(traceline_str(nth_event(r, "hold", 0), "message"),
                        "waiting for the reader");
    assert_string_equal(traceline_str(nth_event(r, "resume", 0), "message"),
                        "a line was read");
    free_result(r);
}

/* At end of input the program goes on. */
static void test_hold_at_eof(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_hold, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), NULL);

    assert_exit(r, 0);
    assert_contains(r->out, "[hold] waiting for the reader\n");
    assert_contains(r->out, "BODY rest=[]\n");
    SEQ("start", "step", "hold", "resume", "exit");
    assert_string_equal(traceline_str(nth_event(r, "resume", 0), "message"),
                        "end of input");
    free_result(r);

    /* text with no newline: read to the end, and go on */
    r = run_v(fx, body_hold, NULL, ARGS("-n", fx->name, "--trace", "off"),
              "no newline");
    assert_exit(r, 0);
    assert_contains(r->out, "BODY rest=[]\n");
    free_result(r);
}

static void test_no_hold(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_hold, NULL,
        ARGS("--no-hold", "-n", fx->name, "--trace", fx->trace), "\nuntouched");

    assert_exit(r, 0);
    assert_contains(r->out, "[hold] waiting for the reader\n"
                            "  (--no-hold: going on without waiting)\n");
    assert_lacks(r->out, "Press Enter");
    assert_contains(r->out, "BODY rest=[\nuntouched]\n");   /* stdin not read */
    SEQ("start", "step", "exit");
    free_result(r);
}

/* A signal during a hold: the exit is recorded with 128+signal, and the
 * program dies of the signal as the shell expects. */
static void test_hold_interrupted_by_signal(void **state)
{
    struct fx *fx = *state;
    struct child c;

    spawn_v(fx, &c, body_hold, NULL, ARGS("-n", fx->name, "--trace", fx->trace));
    wait_event(fx, &c, "hold", 1);
    assert_int_equal(kill(c.pid, SIGTERM), 0);
    struct result *r = finish(fx, &c);
    assert_true(WIFSIGNALED(r->status));
    assert_int_equal(WTERMSIG(r->status), SIGTERM);
    assert_contains(r->err, "unit-narrate: stopped by SIGTERM");
    SEQ("start", "step", "hold", "exit");
    const json_t *e = nth_event(r, "exit", 0);
    assert_int_equal(get_int(e, "status"), 128 + SIGTERM);
    assert_string_equal(traceline_str(e, "message"), "SIGTERM");
    free_result(r);
}

/* ---- --step -------------------------------------------------------------------- */

static void test_step_pauses_before_each_call(void **state)
{
    struct fx *fx = *state;
    struct child c;
    char want[256];
    json_t **ev = new_events();

    spawn_v(fx, &c, body_step, NULL,
            ARGS("--step", "-n", fx->name, "--trace", fx->trace));
    /* before shm_open: shown, waiting, and not yet made */
    wait_event(fx, &c, "hold", 1);
    char *out = slurp(c.out);
    snprintf(want, sizeof want, "  next: shm_open(\"%s\", O_CREAT | O_EXCL | "
             "O_RDWR, 0600)   -- press Enter to run it\n", fx->name);
    assert_contains(out, want);
    free(out);
    assert_false(shm_exists(fx->name));
    int n = read_trace(fx->trace, ev);
    snprintf(want, sizeof want, "before shm_open(\"%s\", O_CREAT | O_EXCL | "
             "O_RDWR, 0600)", fx->name);
    assert_string_equal(traceline_str(ev[n - 1], "message"), want);
    assert_int_equal(count_events(ev, n, "call"), 0);
    assert_true(child_running(&c));

    /* Enter: shm_open runs, then it waits before close */
    child_write(&c, "\n");
    wait_event(fx, &c, "hold", 2);
    assert_true(shm_exists(fx->name));
    n = read_trace(fx->trace, ev);
    assert_int_equal(count_events(ev, n, "call"), 1);
    assert_memory_equal(traceline_str(ev[n - 1], "message"), "before close(", 13);

    child_write(&c, "\n");
    wait_event(fx, &c, "hold", 3);
    assert_true(shm_exists(fx->name));      /* not yet removed */
    child_write(&c, "\n");
    struct result *r = finish(fx, &c);
    assert_exit(r, 0);
    assert_false(shm_exists(fx->name));
    SEQ("start", "step", "hold", "resume", "call", "step", "hold", "resume",
        "call", "step", "hold", "resume", "call", "exit");
    assert_string_equal(traceline_str(nth_event(r, "resume", 2), "message"),
                        "a line was read");
    free_result(r);
    free_events(ev);
}

/* --step at end of input runs every call without waiting. */
static void test_step_at_eof(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_step, NULL,
        ARGS("--step", "-n", fx->name, "--trace", fx->trace), NULL);

    assert_exit(r, 0);
    assert_false(shm_exists(fx->name));
    assert_int_equal(count_events(r->ev, r->nev, "hold"), 3);
    assert_int_equal(count_events(r->ev, r->nev, "call"), 3);
    assert_string_equal(traceline_str(nth_event(r, "resume", 0), "message"),
                        "end of input");
    assert_int_equal(count_of(r->out, "-- press Enter to run it"), 3);
    free_result(r);
}

/* ---- quiet ------------------------------------------------------------------- */

static void test_quiet(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_walk, NULL,
                             ARGS("-q", "-n", fx->name, "--trace", fx->trace), "");

    assert_exit(r, 0);
    assert_string_equal(r->out, "");         /* nothing but errors */
    assert_string_equal(r->err, "");
    /* the trace is whole all the same */
    assert_int_equal(count_events(r->ev, r->nev, "call"), 7);
    assert_int_equal(count_events(r->ev, r->nev, "step"), 6);
    free_result(r);

    /* errors still show, with the failed call's line */
    r = run_v(fx, body_open, NULL, ARGS("--quiet", "-n", fx->name, "--trace", "off"), "");
    assert_exit(r, 1);
    assert_contains(r->out, "= -1 ENOENT");
    assert_lacks(r->out, "[open]");
    assert_contains(r->err, "run 01-create first");
    free_result(r);
}

/* ---- the other reporters ------------------------------------------------------ */

static void test_result_err_null_error_object(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_misc, NULL,
                             ARGS("-n", fx->name, "--trace", fx->trace), "");

    assert_exit(r, 2);
    /* ml_result_err with an expected error number */
    assert_contains(r->out, "pthread_mutex_lock(&m->lock) = 130 EOWNERDEAD");
    assert_contains(r->out, "pthread_mutex_consistent");
    assert_contains(r->out, "pthread_mutex_consistent(&m->lock) = 0   [Win32: (none)]");
    const json_t *e = call_event(r, "pthread_mutex_lock");
    assert_string_equal(traceline_str(e, "errno"), "EOWNERDEAD");
    assert_string_equal(traceline_str(e, "ret"), "130");
    assert_true(get_bool(e, "expected"));
    assert_string_equal(traceline_str(call_event(r, "pthread_mutex_consistent"), "errno"), "0");
    /* a NULL without errno is still a failure */
    e = call_event(r, "fopen");
    assert_string_equal(traceline_str(e, "ret"), "NULL");
    assert_string_equal(traceline_str(e, "errno"), "EINVAL");
    assert_string_equal(traceline_str(e, "object"), "/tmp/some file.bin");
    assert_string_equal(traceline_str(e, "step"), "read");
    /* ml_error: stderr and an error event */
    assert_contains(r->err, "unit-narrate: error: the message is 300 bytes and "
                            "the object holds 256\n");
    int errors = count_events(r->ev, r->nev, "error");
    assert_int_equal(errors, 2);             /* fopen's, then ml_error's */
    e = nth_event(r, "error", 1);
    assert_string_equal(traceline_str(e, "message"),
                        "the message is 300 bytes and the object holds 256");
    assert_string_equal(traceline_str(e, "object"), "/tmp/some file.bin");
    /* the start was recorded under the -n name */
    assert_string_equal(traceline_str(r->ev[0], "object"), fx->name);
    assert_int_equal(get_int(nth_event(r, "exit", 0), "status"), 2);
    free_result(r);
}

/* ---- ml_start: options -------------------------------------------------------- */

static void test_options_parsed(void **state)
{
    struct fx *fx = *state;
    char want[256];
    struct result *r = run_v(fx, body_opts, NULL,
        ARGS("--name", fx->name, "--size", "2MiB", "--message", "hi there",
             "--step", "--no-hold", "--quiet", "--no-color", "--trace", fx->trace),
        NULL);

    assert_exit(r, 0);
    snprintf(want, sizeof want, "BODY name=%s size=2097152 message=hi there "
             "step=1 hold=0 quiet=1 operands=0\n", fx->name);
    assert_contains(r->out, want);
    SEQ("start", "exit");
    free_result(r);

    /* the defaults */
    r = run_v(fx, body_opts, NULL, ARGS("--trace", "off"), NULL);
    assert_exit(r, 0);
    assert_contains(r->out, "BODY name=/MyFileMappingObject size=256 message="
                            "Message from first process. step=0 hold=1 quiet=0");
    free_result(r);

    /* MMAPLAB_NAME, and -n over it */
    r = run_v(fx, body_opts, ENV("MMAPLAB_NAME=/mmaplab-unit-from-env"),
              ARGS("--trace", "off"), NULL);
    assert_exit(r, 0);
    assert_contains(r->out, "BODY name=/mmaplab-unit-from-env ");
    free_result(r);
    r = run_v(fx, body_opts, ENV("MMAPLAB_NAME=/mmaplab-unit-from-env"),
              ARGS("-n", fx->name, "--trace", "off"), NULL);
    assert_contains(r->out, fx->name);
    assert_lacks(r->out, "from-env");
    free_result(r);
    /* a bad MMAPLAB_NAME does not matter when -n gives a good one */
    r = run_v(fx, body_opts, ENV("MMAPLAB_NAME=bad"),
              ARGS("-n", fx->name, "--trace", "off"), NULL);
    assert_exit(r, 0);
    free_result(r);
}

static void test_help_and_version(void **state)
{
    struct fx *fx = *state;
    struct result *r = run_v(fx, body_opts, NULL, ARGS("--help", "--trace", fx->trace), NULL);

    assert_exit(r, 0);
    assert_contains(r->out, "Usage: unit-narrate [-n NAME] [-s SIZE] [-m TEXT] "
                            "[--step] [--no-hold] [--trace FILE]");
    assert_contains(r->out, "What the library does around each call.");
    assert_contains(r->out, "Win32 step it mirrors: CreateFileMapping(INVALID_HANDLE_VALUE, ...)");
    assert_contains(r->out, "Run before it: 01-create    Run after it: 05-close");
    assert_contains(r->out, "Exit status: 0 done, 1 a call failed (explained), 2 usage error.");
    assert_lacks(r->out, "BODY");
    free_result(r);

    g_prog = &prog_plain;
    r = run_v(fx, body_opts, NULL, ARGS("-h"), NULL);
    assert_exit(r, 0);
    assert_contains(r->out, "Usage: unit-plain [-n NAME] [--step] [--trace FILE]");
    assert_contains(r->out, "--no-hold       accepted for scripts; this program does not hold");
    assert_lacks(r->out, "--size");
    assert_lacks(r->out, "--message");
    assert_contains(r->out, "(none: it starts the walkthrough)");
    free_result(r);

    r = run_v(fx, body_opts, NULL, ARGS("-V"), NULL);
    assert_exit(r, 0);
    assert_string_equal(r->out, "unit-plain (mmaplab) " ML_VERSION "\n");
    free_result(r);
}

/* A usage error: the rule on stderr after the program's name, with the
 * usage line, exit 2, nothing done, and the refusal in the trace. */
static void assert_usage_error(const struct fx *fx, const char *const *args,
                               const char *const *env, const char *rule)
{
    struct result *r = run_v(fx, body_opts, env, args, NULL);
    char prefix[64];

    if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 2)
        fail_msg("%s: status 0x%x, stderr: %s", args[0], r->status, r->err);
    snprintf(prefix, sizeof prefix, "%s: ", g_prog->name);
    assert_memory_equal(r->err, prefix, strlen(prefix));
    char *nl = strchr(r->err, '\n');
    assert_non_null(nl);
    *nl = '\0';                             /* the rule is on the first line */
    assert_contains(r->err, rule);
    *nl = '\n';
    assert_contains(r->err, "\nUsage: ");
    assert_contains(r->err, "Nothing was done.  Try '");
    assert_lacks(r->out, "BODY");
    assert_string_equal(r->out, "");
    /* --trace is honoured even when it comes after the broken rule */
    if (r->nev < 0)
        fail_msg("no trace for the refusal of %s", args[0]);
    assert_sequence(r, (const char *const[]){ "start", "error", "exit", NULL });
    assert_contains(traceline_str(r->ev[1], "message"), rule);
    assert_int_equal(get_int(r->ev[2], "status"), 2);
    free_result(r);
    unlink(fx->trace);
}

static void test_usage_error_names(void **state)
{
    struct fx *fx = *state;
    char long_name[300];

    long_name[0] = '/';
    memset(long_name + 1, 'n', 256);
    long_name[257] = '\0';
    assert_usage_error(fx, ARGS("-n", "noslash", "--trace", fx->trace), NULL,
                       "the name 'noslash' must begin with '/'");
    assert_usage_error(fx, ARGS("-n", "/", "--trace", fx->trace), NULL,
                       "nothing after the '/'");
    assert_usage_error(fx, ARGS("-n", "/a/b", "--trace", fx->trace), NULL,
                       "has a '/' after the first character");
    assert_usage_error(fx, ARGS("-n", long_name, "--trace", fx->trace), NULL,
                       "256 characters after the '/'; the limit is 255");
    assert_usage_error(fx, ARGS("-n", "/.", "--trace", fx->trace), NULL,
                       "'/.' cannot be a name");
    assert_usage_error(fx, ARGS("-n", "/..", "--trace", fx->trace), NULL,
                       "'/..' cannot be a name");
    assert_usage_error(fx, ARGS("-n", "", "--trace", fx->trace), NULL,
                       "must begin with '/'");
    /* from the environment: said so */
    assert_usage_error(fx, ARGS("--trace", fx->trace), ENV("MMAPLAB_NAME=nope"),
                       "(from MMAPLAB_NAME)");
}

static void test_usage_error_sizes(void **state)
{
    struct fx *fx = *state;

    assert_usage_error(fx, ARGS("-s", "0", "--trace", fx->trace), NULL, "is zero");
    assert_usage_error(fx, ARGS("-s", "-4k", "--trace", fx->trace), NULL, "is negative");
    assert_usage_error(fx, ARGS("-s", "1.5k", "--trace", fx->trace), NULL,
                       "unknown ending '.5k'");
    assert_usage_error(fx, ARGS("--size", "lots", "--trace", fx->trace), NULL,
                       "not a decimal number");
    assert_usage_error(fx, ARGS("-s", "", "--trace", fx->trace), NULL, "is empty");
    assert_usage_error(fx, ARGS("-s", "9223372036854775808", "--trace", fx->trace),
                       NULL, "past the largest file offset");
    /* the first broken rule is the one reported */
    assert_usage_error(fx, ARGS("-s", "0", "-n", "bad", "--trace", fx->trace), NULL,
                       "is zero");
}

static void test_usage_error_options(void **state)
{
    struct fx *fx = *state;

    assert_usage_error(fx, ARGS("--bogus", "--trace", fx->trace), NULL,
                       "unknown option '--bogus'");
    assert_usage_error(fx, ARGS("-x", "--trace", fx->trace), NULL,
                       "unknown option '-x'");
    assert_usage_error(fx, ARGS("--trace", fx->trace, "-n"), NULL,
                       "option '-n' needs an argument");
    assert_usage_error(fx, ARGS("--trace", fx->trace, "--name"), NULL,
                       "option '--name' needs an argument");
    assert_usage_error(fx, ARGS("--trace", fx->trace, "extra"), NULL,
                       "unexpected argument 'extra': unit-narrate takes only options");
    g_prog = &prog_plain;
    /* (--trace first: the refused -s leaves 4k as an operand, and parsing
     * stops at the first operand) */
    assert_usage_error(fx, ARGS("--trace", fx->trace, "-s", "4k"), NULL,
                       "unit-plain takes no size: the size is fixed when the "
                       "object is created (01-create -s SIZE)");
    assert_usage_error(fx, ARGS("--size=4k", "--trace", fx->trace), NULL,
                       "takes no size");
    assert_usage_error(fx, ARGS("--trace", fx->trace, "-m", "hi"), NULL,
                       "unit-plain takes no message");
    /* --no-hold is taken by every program, so scripts can pass it to all */
    struct result *r = run_v(fx, body_opts, NULL, ARGS("--no-hold", "--trace", "off"), NULL);
    assert_exit(r, 0);
    free_result(r);
}

static void test_own_options(void **state)
{
    struct fx *fx = *state;
    struct result *r;

    g_prog = &prog_own;
    r = run_v(fx, body_own, NULL, ARGS("--trace", "off"), NULL);
    assert_exit(r, 0);
    assert_contains(r->out, "BODY dir=. flag=0 text=unset room=1 count=3\n");
    free_result(r);
    r = run_v(fx, body_own, NULL, ARGS("--trace", "off", "-d", "/tmp", "-f", "--text",
                                       "hi", "-r", "2k", "--count=9"), NULL);
    assert_exit(r, 0);
    assert_contains(r->out, "BODY dir=/tmp flag=1 text=hi room=2048 count=9\n");
    free_result(r);
    r = run_v(fx, body_own, NULL, ARGS("--help"), NULL);
    assert_contains(r->out, "[-d DIR]");
    assert_contains(r->out, "  -d, --dir DIR ");
    assert_contains(r->out, "  -r, --room SIZE     a size\n");
    assert_contains(r->out, "      --count N       a count\n");
    free_result(r);

    /* each value checked, the rule stated */
    assert_usage_error(fx, ARGS("--count", "1", "--trace", fx->trace), NULL,
                       "--count: '1' is too small: at least 2");
    assert_usage_error(fx, ARGS("--count", "10", "--trace", fx->trace), NULL,
                       "--count: '10' is too large: at most 9");
    assert_usage_error(fx, ARGS("--count", "x", "--trace", fx->trace), NULL,
                       "--count: 'x' is not a whole number");
    assert_usage_error(fx, ARGS("-r", "1Q", "--trace", fx->trace), NULL,
                       "--room: the size '1Q' has an unknown ending 'Q'");
    g_prog = &prog_plain;
    assert_usage_error(fx, ARGS("--trace", fx->trace, "-d", "/tmp"), NULL,
                       "unknown option '-d'");
}

/* ---- the trace from ml_start's point of view ----------------------------------- */

static void test_trace_off_and_env(void **state)
{
    struct fx *fx = *state;
    char xdg[128], dir[160];
    struct stat st;

    snprintf(xdg, sizeof xdg, "XDG_RUNTIME_DIR=%s", fx->dir);
    snprintf(dir, sizeof dir, "%s/mmaplab", fx->dir);
    /* MMAPLAB_TRACE=off: no trace anywhere, not even the default one */
    struct result *r = run_v(fx, body_walk, ENV("MMAPLAB_TRACE=off", xdg),
                             ARGS("-n", fx->name), "");
    assert_exit(r, 0);
    assert_int_equal(r->nev, -1);
    assert_int_equal(lstat(dir, &st), -1);
    assert_string_equal(r->err, "");
    free_result(r);

    /* MMAPLAB_TRACE=FILE */
    char env[200];
    snprintf(env, sizeof env, "MMAPLAB_TRACE=%s", fx->trace);
    r = run_v(fx, body_walk, ENV(env, xdg), ARGS("-n", fx->name), "");
    assert_exit(r, 0);
    assert_int_equal(count_events(r->ev, r->nev, "exit"), 1);
    free_result(r);
    unlink(fx->trace);

    /* --trace off beats MMAPLAB_TRACE */
    r = run_v(fx, body_walk, ENV(env, xdg), ARGS("-n", fx->name, "--trace", "off"), "");
    assert_exit(r, 0);
    assert_int_equal(r->nev, -1);
    free_result(r);
}

/* Neither --trace nor MMAPLAB_TRACE: $XDG_RUNTIME_DIR/mmaplab/trace.jsonl. */
static void test_trace_default_in_xdg(void **state)
{
    struct fx *fx = *state;
    char xdg[128], file[200];
    struct stat st;

    snprintf(xdg, sizeof xdg, "XDG_RUNTIME_DIR=%s", fx->dir);
    snprintf(file, sizeof file, "%s/mmaplab/trace.jsonl", fx->dir);
    struct result *r = run_v(fx, body_walk, ENV("MMAPLAB_TRACE", xdg),
                             ARGS("-n", fx->name), "");
    assert_exit(r, 0);
    assert_string_equal(r->err, "");
    assert_int_equal(lstat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    json_t **ev = new_events();
    int n = read_trace(file, ev);
    assert_int_equal(n, 15);
    assert_string_equal(traceline_str(ev[n - 1], "event"), "exit");
    free_events(ev);
    free_result(r);
}

/* A trace that cannot be opened: one warning, and the exit status is the
 * program's own, whether it succeeds or fails. */
static void test_trace_trouble_keeps_status(void **state)
{
    struct fx *fx = *state;
    char bad[200];

    snprintf(bad, sizeof bad, "%s/no-such-dir/trace.jsonl", fx->dir);
    struct result *r = run_v(fx, body_walk, NULL, ARGS("-n", fx->name, "--trace", bad), "");
    assert_exit(r, 0);
    assert_int_equal(count_of(r->err, "warning"), 1);
    assert_contains(r->err, "unit-narrate: warning: trace cannot be opened: ");
    assert_contains(r->err, "the program goes on");
    assert_contains(r->out, "\nNext: ");
    free_result(r);

    r = run_v(fx, body_open, NULL, ARGS("-n", fx->name, "--trace", bad), "");
    assert_exit(r, 1);
    assert_int_equal(count_of(r->err, "warning"), 1);
    assert_contains(r->err, "shm_open failed: ENOENT");
    free_result(r);

    /* every write failing (a full disk): one warning, status unchanged */
    if (access("/dev/full", W_OK) == 0) {
        r = run_v(fx, body_walk, NULL, ARGS("-n", fx->name, "--trace", "/dev/full"), "");
        assert_exit(r, 0);
        assert_int_equal(count_of(r->err, "warning"), 1);
        assert_contains(r->err, "trace write failed: No space left on device");
        free_result(r);
        r = run_v(fx, body_open, NULL, ARGS("-n", fx->name, "--trace", "/dev/full"), "");
        assert_exit(r, 1);
        free_result(r);
    }
}

/* ---- colour -------------------------------------------------------------------- */

/* Run body_walk with stdout on a terminal; returns what it printed. */
static char *run_on_tty(const struct fx *fx, const char *const *env,
                        const char *const *args)
{
    int master, slave;
    char *buf;
    size_t n = 0;

    assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char errpath[128];
        snprintf(errpath, sizeof errpath, "%s/stderr-tty", fx->dir);
        int devnull = open("/dev/null", O_RDWR);
        int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        close(master);
        dup2(devnull, 0);
        dup2(slave, 1);
        dup2(err, 2);
        close(slave);
        setenv("MMAPLAB_TRACE", "off", 1);
        unsetenv("MMAPLAB_NAME");
        unsetenv("NO_COLOR");
        setenv("TERM", "xterm", 1);
        for (; env && *env; env++) {
            const char *eq = strchr(*env, '=');
            char k[64];
            snprintf(k, sizeof k, "%.*s", (int)(eq - *env), *env);
            setenv(k, eq + 1, 1);
        }
        char *argv[16];
        int argc = 0;
        argv[argc++] = (char *)"unit-narrate";
        for (; *args; args++)
            argv[argc++] = (char *)*args;
        argv[argc] = NULL;
        body_walk(argc, argv);
        _exit(77);
    }
    close(slave);
    buf = malloc(65536);            /* after the fork: the child has no copy */
    assert_non_null(buf);
    for (;;) {
        struct pollfd pfd = { master, POLLIN, 0 };
        if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
            break;
        ssize_t r = read(master, buf + n, 65535 - n);
        if (r <= 0)
            break;                          /* EIO once the child is gone */
        n += (size_t)r;
    }
    buf[n] = '\0';
    close(master);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return buf;
}

static void test_colour_only_on_a_terminal(void **state)
{
    struct fx *fx = *state;
    char *out;

    out = run_on_tty(fx, NULL, ARGS("-n", fx->name));
    assert_contains(out, "\033[1;36m[create]\033[0m");
    assert_contains(out, "\033[32m");
    free(out);
    out = run_on_tty(fx, ENV("NO_COLOR=1"), ARGS("-n", fx->name));
    assert_contains(out, "[create] make the object");
    assert_lacks(out, "\033[");
    free(out);
    out = run_on_tty(fx, NULL, ARGS("--no-color", "-n", fx->name));
    assert_contains(out, "[create] make the object");
    assert_lacks(out, "\033[");
    free(out);
    out = run_on_tty(fx, ENV("TERM=dumb"), ARGS("-n", fx->name));
    assert_lacks(out, "\033[");
    free(out);
    /* NO_COLOR set but empty does not count */
    out = run_on_tty(fx, ENV("NO_COLOR="), ARGS("-n", fx->name));
    assert_contains(out, "\033[");
    free(out);
}

/* Only a newline and printable ASCII: no byte of the text can act on a
 * terminal (the hostile inputs below are ASCII once escaped). */
static void assert_terminal_safe(const char *what, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p != '\n' && (*p < 0x20 || *p >= 0x7f))
            fail_msg("%s: byte 0x%02x at offset %td reaches the terminal", what,
                     *p, (const char *)p - text);
}

/* Names, messages and the words of a usage error come from outside: every
 * place that prints them escapes them, the same way as ml_escape. */
static void test_hostile_text_escaped(void **state)
{
    struct fx *fx = *state;
    static const char bad[] = "\x1b]0;pwn\x07\x1b[31m\xc2\x9b\x7f\"\\";
    static const char shown[] = "\\x1b]0;pwn\\x07\\x1b[31m\\xc2\\x9b\\x7f\\\"\\\\";
    char line[1024];

    strncat(fx->name, bad, sizeof fx->name - strlen(fx->name) - 1);
    char name_shown[256];
    snprintf(name_shown, sizeof name_shown, "%.*s%s",
             (int)(strlen(fx->name) - strlen(bad)), fx->name, shown);

    struct result *r = run_v(fx, body_walk, NULL,
                             ARGS("-n", fx->name, "-m", "a\r\nb\x1b[2J\x01\xff",
                                  "--trace", fx->trace), "");
    assert_exit(r, 0);
    assert_terminal_safe("stdout", r->out);
    assert_terminal_safe("stderr", r->err);
    snprintf(line, sizeof line, "  object %s   pid ", name_shown);
    assert_contains(r->out, line);
    snprintf(line, sizeof line, "  shm_open(\"%s\", O_CREAT", name_shown);
    assert_contains(r->out, line);
    assert_contains(r->out, "\"a\\r\\nb\\x1b[2J\\x01\\xff\", 11) = 0x");
    /* the trace keeps the real name; its text is the escaped one */
    assert_well_formed(r, fx->name);
    assert_contains(traceline_str(call_event(r, "memcpy"), "args"), "\\x1b[2J");
    free_result(r);

    /* an explained failure: the hint names the object */
    r = run_v(fx, body_open, NULL, ARGS("-n", fx->name, "--trace", fx->trace), "");
    assert_exit(r, 1);
    assert_terminal_safe("stdout", r->out);
    assert_terminal_safe("stderr", r->err);
    snprintf(line, sizeof line, "no shared memory object named %s; run 01-create "
             "first (01-create -n %s)\n", name_shown, name_shown);
    assert_contains(r->err, line);
    free_result(r);

    /* usage errors: a name, a size, an unknown option */
    const char *const *bads[] = {
        ARGS("-n", "/a\x1b[2J/b", "--trace", fx->trace),
        ARGS("-n", "no-slash\x1b[2J", "--trace", fx->trace),
        ARGS("-s", "12\x1b[2J", "--trace", fx->trace),
        ARGS("--\x1b[2J", "--trace", fx->trace),
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        r = run_v(fx, body_opts, NULL, bads[i], NULL);
        assert_exit(r, 2);
        assert_terminal_safe("stderr", r->err);
        assert_contains(r->err, "\\x1b[2J");
        free_result(r);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_call_narration_and_events),
        T(test_call_fails_explained),
        T(test_call_eexist_names_owner),
        T(test_call_mmap_eacces),
        T(test_expect_failure_is_the_point),
        T(test_expect_but_succeeds),
        T(test_expect_other_error),
        T(test_hold_waits_for_a_line),
        T(test_hold_at_eof),
        T(test_no_hold),
        T(test_hold_interrupted_by_signal),
        T(test_step_pauses_before_each_call),
        T(test_step_at_eof),
        T(test_quiet),
        T(test_result_err_null_error_object),
        T(test_options_parsed),
        T(test_help_and_version),
        T(test_usage_error_names),
        T(test_usage_error_sizes),
        T(test_usage_error_options),
        T(test_own_options),
        T(test_trace_off_and_env),
        T(test_trace_default_in_xdg),
        T(test_trace_trouble_keeps_status),
        T(test_colour_only_on_a_terminal),
        T(test_hostile_text_escaped),
    };
    return cmocka_run_group_tests_name("narrate", tests, NULL, NULL);
#undef T
}
