/* tracecheck.c — what the tests ask of a trace file (lessons/trace.md).
 *
 *   tracecheck validate FILE            every line is one JSON object with the
 *                                       keys and types its event needs
 *   tracecheck wait FILE [filters] [--count N] [--timeout SEC]
 *                                       wait until N matching events are there
 *   tracecheck get FILE [filters] KEY   print KEY of each matching event
 *   tracecheck count FILE [filters]     print how many events match
 *   tracecheck steps FILE [filters]     the step sequence the comparison uses
 *   tracecheck compare POSIX WIN32      the two tracks tell the same walkthrough
 *   tracecheck pairs FILE               every process's events come between one
 *                                       start and one exit of its own
 *
 * filters: --prog P --event E --call C --step S --pid N --object O
 * Exit 0 yes, 1 no (with the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "traceline.h"

struct filter {
    const char *prog, *event, *call, *step, *object;
    long long pid;
};

static int usage(void)
{
    fprintf(stderr, "usage: tracecheck validate|wait|get|count|steps|compare|pairs FILE ... "
                    "(see tests/tools/tracecheck.c)\n");
    return 2;
}

/* Call fn on every line of path; stops early when fn returns nonzero. */
static int each_line(const char *path, int (*fn)(const char *, size_t, int, void *),
                     void *ctx)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, r = 0;

    if (f == NULL)
        return -1;
    while ((n = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            n--;
        else if (n > 0)
            break;              /* a half-written last line: not an event yet */
        if ((r = fn(line, (size_t)n, lineno, ctx)) != 0)
            break;
    }
    free(line);
    fclose(f);
    return r;
}

static bool matches(const json_t *o, const struct filter *fl)
{
    const char *s;

    if (fl->prog && (!(s = traceline_str(o, "prog")) || strcmp(s, fl->prog)))
        return false;
    if (fl->event && (!(s = traceline_str(o, "event")) || strcmp(s, fl->event)))
        return false;
    if (fl->call && (!(s = traceline_str(o, "call")) || strcmp(s, fl->call)))
        return false;
    if (fl->step && (!(s = traceline_str(o, "step")) || strcmp(s, fl->step)))
        return false;
    if (fl->object && (!(s = traceline_str(o, "object")) || strcmp(s, fl->object)))
        return false;
    if (fl->pid && traceline_int(o, "pid") != fl->pid)
        return false;
    return true;
}

/* ---- validate ----------------------------------------------------------- */

static int problems;

static void problem(int lineno, const char *what, const char *key)
{
    fprintf(stderr, "line %d: %s%s%s\n", lineno, what, key ? ": " : "", key ? key : "");
    problems++;
}

enum kind { INTEGER, STRING, BOOL };

static void want(const json_t *o, int lineno, const char *key, enum kind kind)
{
    const json_t *f = json_object_get(o, key);
    if (f == NULL)
        problem(lineno, "missing key", key);
    else if (!(kind == INTEGER ? json_is_integer(f) :
               kind == STRING ? json_is_string(f) : json_is_boolean(f)))
        problem(lineno, "wrong type for key", key);
}

/* The keys and types an event needs (lessons/trace.md). */
static void validate_event(const json_t *o, int lineno)
{
    static const char *events[] = { "start", "step", "call", "hold", "resume",
                                    "exit", "error" };
    const char *ev;
    bool known = false;

    want(o, lineno, "v", INTEGER);
    want(o, lineno, "ts_ns", INTEGER);
    want(o, lineno, "pid", INTEGER);
    want(o, lineno, "prog", STRING);
    want(o, lineno, "event", STRING);
    want(o, lineno, "object", STRING);
    if (json_object_get(o, "v") && traceline_int(o, "v") != 1)
        problem(lineno, "format version is not 1", NULL);
    if ((ev = traceline_str(o, "event")) == NULL)
        return;
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        known |= strcmp(ev, events[i]) == 0;
    if (!known)
        problem(lineno, "unknown event", ev);
    if (strcmp(ev, "step") == 0) {
        want(o, lineno, "step", STRING);
        want(o, lineno, "message", STRING);
    } else if (strcmp(ev, "call") == 0) {
        want(o, lineno, "step", STRING);
        want(o, lineno, "call", STRING);
        want(o, lineno, "args", STRING);
        want(o, lineno, "ret", STRING);
        want(o, lineno, "errno", STRING);
        want(o, lineno, "expected", BOOL);
        if (!json_object_get(o, "win32") && !json_object_get(o, "posix"))
            problem(lineno, "call without its counterpart", "win32/posix");
        if (json_object_get(o, "win32"))
            want(o, lineno, "win32", STRING);
        if (json_object_get(o, "posix"))
            want(o, lineno, "posix", STRING);
        if (json_object_get(o, "addr"))
            want(o, lineno, "addr", STRING);
        if (json_object_get(o, "len"))
            want(o, lineno, "len", INTEGER);
        if (json_object_get(o, "offset"))
            want(o, lineno, "offset", INTEGER);
    } else if (strcmp(ev, "exit") == 0) {
        want(o, lineno, "status", INTEGER);
    } else if (strcmp(ev, "error") == 0) {
        want(o, lineno, "message", STRING);
    }
}

static int validate_line(const char *line, size_t n, int lineno, void *ctx)
{
    json_error_t why;
    json_t *o;

    (void)ctx;
    if ((o = traceline_read(line, n, &why)) == NULL) {
        problem(lineno, "not one JSON object", why.text);
        return 0;
    }
    validate_event(o, lineno);
    json_decref(o);
    return 0;
}

/* ---- wait, get, count ----------------------------------------------------- */

struct query {
    const struct filter *fl;
    const char *key;        /* get: print this */
    long count;
};

/* A string as it is, anything else as JSON; nothing when v is NULL. */
static void print_value(const json_t *v)
{
    char *text;

    if (json_is_string(v)) {
        printf("%s\n", json_string_value(v));
    } else if (v != NULL && (text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT))) {
        printf("%s\n", text);
        free(text);
    }
}

static int query_line(const char *line, size_t n, int lineno, void *ctx)
{
    struct query *q = ctx;
    json_t *o = traceline_read(line, n, NULL);

    (void)lineno;
    if (o != NULL && matches(o, q->fl)) {
        q->count++;
        if (q->key)
            print_value(json_object_get(o, q->key));
    }
    json_decref(o);
    return 0;
}

/* ---- steps and compare ------------------------------------------------------ */

#define MAX_CALLS 512

struct call {
    long long pid;
    char step[32];
    char call[64];
    char counter[8][64];   /* the counterpart's identifiers (" or " alternatives) */
    int ncounter;
};

struct track {
    const struct filter *fl;
    struct call calls[MAX_CALLS];
    int n;
};

/* The leading identifier of each " or " alternative of a counterpart; none
 * when it starts with '(' (a remark: no counterpart on the other track). */
static int identifiers(const char *s, char out[8][64])
{
    int n = 0;

    while (s && *s && n < 8) {
        while (*s == ' ')
            s++;
        size_t len = 0;
        while ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= 'A' && s[len] <= 'Z') ||
               (s[len] >= '0' && s[len] <= '9') || s[len] == '_')
            len++;
        if (len > 0 && len < 64) {
            memcpy(out[n], s, len);
            out[n++][len] = '\0';
        }
        s = strstr(s, " or ");
        if (s)
            s += 4;
    }
    return n;
}

static void track_call(struct track *t, const json_t *o)
{
    const char *ev, *step, *call, *counter;

    if (!(ev = traceline_str(o, "event")) || strcmp(ev, "call") != 0)
        return;
    step = traceline_str(o, "step");
    call = traceline_str(o, "call");
    counter = traceline_str(o, "win32");
    if (counter == NULL)
        counter = traceline_str(o, "posix");
    if (!step || !call || !counter || counter[0] == '(' || t->n >= MAX_CALLS)
        return;
    struct call *c = &t->calls[t->n];
    c->pid = traceline_int(o, "pid");
    snprintf(c->step, sizeof c->step, "%s", step);
    snprintf(c->call, sizeof c->call, "%s", call);
    c->ncounter = identifiers(counter, c->counter);
    if (c->ncounter > 0)
        t->n++;
}

static int track_line(const char *line, size_t n, int lineno, void *ctx)
{
    struct track *t = ctx;
    json_t *o = traceline_read(line, n, NULL);

    (void)lineno;
    if (o != NULL && matches(o, t->fl))
        track_call(t, o);
    json_decref(o);
    return 0;
}

/* The walkthrough's steps, without `unlink` (POSIX only), in the order every
 * process agrees on: within one process a step comes after the one before
 * it, and among the steps that could come next the one seen first goes
 * first.  First appearance alone would depend on who ran when: with
 * 02-map holding its mapping before 03-copy, "unmap" and "close" would be
 * seen before "copy".  A loop (a process going back to an earlier step)
 * is broken by first appearance. */
#define MAX_STEPS 64
static int step_order(const struct track *t, char out[][32], int max)
{
    char names[MAX_STEPS][32];
    bool after[MAX_STEPS][MAX_STEPS] = {{false}};   /* after[a][b]: a comes after b */
    bool done[MAX_STEPS] = {false};
    int n = 0, prev_of[MAX_CALLS];

    for (int i = 0; i < t->n; i++) {
        int k = 0;
        prev_of[i] = -1;
        if (strcmp(t->calls[i].step, "unlink") == 0)
            continue;
        while (k < n && strcmp(names[k], t->calls[i].step) != 0)
            k++;
        if (k == n) {
            if (n == MAX_STEPS)
                continue;
            snprintf(names[n++], 32, "%s", t->calls[i].step);
        }
        prev_of[i] = k;
        /* The last step this process was in before this call. */
        for (int j = i - 1; j >= 0; j--) {
            if (t->calls[j].pid != t->calls[i].pid || prev_of[j] < 0)
                continue;
            if (prev_of[j] != k)
                after[k][prev_of[j]] = true;
            break;
        }
    }
    int m = 0;
    while (m < n && m < max) {
        int pick = -1;
        for (int k = 0; k < n && pick < 0; k++) {
            if (done[k])
                continue;
            bool ready = true;
            for (int b = 0; b < n && ready; b++)
                ready = !after[k][b] || done[b];
            if (ready)
                pick = k;
        }
        for (int k = 0; k < n && pick < 0; k++)      /* a loop */
            if (!done[k])
                pick = k;
        done[pick] = true;
        snprintf(out[m++], 32, "%s", names[pick]);
    }
    return m;
}

static bool has_call(const struct track *t, const char *step, const char *call)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->calls[i].step, step) == 0 && strcmp(t->calls[i].call, call) == 0)
            return true;
    return false;
}

/* Every call of a pairs with a call of b in the same step. */
static int pair(const struct track *a, const char *an, const struct track *b,
                const char *bn)
{
    int bad = 0;

    for (int i = 0; i < a->n; i++) {
        const struct call *c = &a->calls[i];
        bool found = false;
        for (int k = 0; k < c->ncounter && !found; k++)
            found = has_call(b, c->step, c->counter[k]);
        if (!found && strcmp(c->step, "unlink") != 0) {
            fprintf(stderr, "%s: %s in step %s names %s, which %s never calls in "
                            "that step\n", an, c->call, c->step, c->counter[0], bn);
            bad++;
        }
    }
    return bad;
}

static int load(const char *path, struct track *t)
{
    int r = each_line(path, track_line, t);
    if (r == -1)
        fprintf(stderr, "tracecheck: %s: %s\n", path, strerror(errno));
    return r;
}

/* ---- pairs ------------------------------------------------------------------ */

#define MAX_PIDS 1024

struct life {
    long long pid;
    int starts, exits;
    int before_start;      /* events with no start of this process before them */
    int after_exit;        /* events after this process's exit */
};

struct lives {
    struct life l[MAX_PIDS];
    int n;
};

static int pairs_line(const char *line, size_t n, int lineno, void *ctx)
{
    struct lives *t = ctx;
    json_t *o = traceline_read(line, n, NULL);
    char ev[16];
    long long pid;
    int i;

    (void)lineno;
    if (o == NULL || !json_is_integer(json_object_get(o, "pid")) ||
        !traceline_str(o, "event")) {
        json_decref(o);
        return 0;
    }
    pid = traceline_int(o, "pid");
    snprintf(ev, sizeof ev, "%s", traceline_str(o, "event"));
    json_decref(o);
    for (i = 0; i < t->n && t->l[i].pid != pid; i++)
        ;
    if (i == t->n) {
        if (t->n == MAX_PIDS)
            return 0;
        t->l[t->n++] = (struct life){ .pid = pid };
    }
    struct life *l = &t->l[i];
    if (strcmp(ev, "start") == 0) {
        /* A start after an exit is a new program in the same process (a
         * program that execs ends with an exit event first); one more
         * without an exit in between leaves the first unended. */
        l->before_start += l->starts > l->exits;
        l->starts++;
    } else if (l->starts == 0) {
        l->before_start++;
    } else if (strcmp(ev, "exit") == 0) {
        l->exits++;
    } else if (l->exits >= l->starts) {
        l->after_exit++;
    }
    return 0;
}

static int pairs(const char *path)
{
    static struct lives t;
    int bad = 0;

    if (each_line(path, pairs_line, &t) == -1) {
        fprintf(stderr, "tracecheck: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (int i = 0; i < t.n; i++) {
        const struct life *l = &t.l[i];
        if (l->starts == l->exits && l->before_start == 0 && l->after_exit == 0)
            continue;
        fprintf(stderr, "pid %lld: %d start(s), %d exit(s), %d event(s) before a start, "
                "%d after its exit\n", l->pid, l->starts, l->exits, l->before_start,
                l->after_exit);
        bad++;
    }
    return bad ? 1 : 0;
}

int main(int argc, char *argv[])
{
    struct filter fl = { 0 };
    const char *positional[3] = { 0 };
    int npos = 0;
    long want_count = 1;
    double timeout = 20;

    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] == '-' && a[1] == '-' && v == NULL)
            return usage();
        if (strcmp(a, "--prog") == 0) fl.prog = v, i++;
        else if (strcmp(a, "--event") == 0) fl.event = v, i++;
        else if (strcmp(a, "--call") == 0) fl.call = v, i++;
        else if (strcmp(a, "--step") == 0) fl.step = v, i++;
        else if (strcmp(a, "--object") == 0) fl.object = v, i++;
        else if (strcmp(a, "--pid") == 0) fl.pid = atoll(v), i++;
        else if (strcmp(a, "--count") == 0) want_count = atol(v), i++;
        else if (strcmp(a, "--timeout") == 0) timeout = atof(v), i++;
        else if (npos < 3) positional[npos++] = a;
        else return usage();
    }
    const char *file = positional[0];

    if (strcmp(cmd, "pairs") == 0 && npos == 1)
        return pairs(file);
    if (strcmp(cmd, "validate") == 0 && npos == 1) {
        if (each_line(file, validate_line, NULL) == -1) {
            fprintf(stderr, "tracecheck: %s: %s\n", file, strerror(errno));
            return 1;
        }
        return problems ? 1 : 0;
    }
    if (strcmp(cmd, "wait") == 0 && npos == 1) {
        struct timespec start, now, nap = { 0, 20 * 1000 * 1000 };
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            struct query q = { &fl, NULL, 0 };
            each_line(file, query_line, &q);
            if (q.count >= want_count)
                return 0;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((double)(now.tv_sec - start.tv_sec) +
                (double)(now.tv_nsec - start.tv_nsec) / 1e9 > timeout) {
                fprintf(stderr, "tracecheck: waited %.0fs for %ld %s event(s)%s%s "
                        "in %s; saw %ld\n", timeout, want_count,
                        fl.event ? fl.event : "", fl.prog ? " from " : "",
                        fl.prog ? fl.prog : "", file, q.count);
                return 1;
            }
            nanosleep(&nap, NULL);
        }
    }
    if ((strcmp(cmd, "get") == 0 && npos == 2) || (strcmp(cmd, "count") == 0 && npos == 1)) {
        struct query q = { &fl, npos == 2 ? positional[1] : NULL, 0 };
        if (each_line(file, query_line, &q) == -1) {
            fprintf(stderr, "tracecheck: %s: %s\n", file, strerror(errno));
            return 1;
        }
        if (npos == 1)
            printf("%ld\n", q.count);
        return 0;
    }
    if (strcmp(cmd, "steps") == 0 && npos == 1) {
        static struct track t;
        char order[64][32];
        t.fl = &fl;
        if (load(file, &t) == -1)
            return 1;
        int n = step_order(&t, order, 64);
        for (int i = 0; i < n; i++)
            printf("%s%s", i ? " " : "", order[i]);
        printf("\n");
        return 0;
    }
    if (strcmp(cmd, "compare") == 0 && npos == 2) {
        static struct track p, w;
        char po[64][32], wo[64][32];
        p.fl = w.fl = &fl;
        if (load(positional[0], &p) == -1 || load(positional[1], &w) == -1)
            return 1;
        int pn = step_order(&p, po, 64), wn = step_order(&w, wo, 64);
        int bad = pn != wn;
        for (int i = 0; i < pn && i < wn; i++)
            bad |= strcmp(po[i], wo[i]) != 0;
        if (bad) {
            fprintf(stderr, "steps differ:\n  POSIX:");
            for (int i = 0; i < pn; i++)
                fprintf(stderr, " %s", po[i]);
            fprintf(stderr, "\n  Win32:");
            for (int i = 0; i < wn; i++)
                fprintf(stderr, " %s", wo[i]);
            fprintf(stderr, "\n");
        }
        if (pn == 0 || wn == 0) {
            fprintf(stderr, "a track has no paired calls at all\n");
            bad = 1;
        }
        bad += pair(&p, "POSIX", &w, "Win32");
        bad += pair(&w, "Win32", &p, "POSIX");
        return bad ? 1 : 0;
    }
    return usage();
}
