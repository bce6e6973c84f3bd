/* main.c — mmapview's command line: the live screen, or one answer
 * (--once text, --json) for people and scripts.
 *
 * Exit status: 0 the object exists, 1 it does not (or --wait timed out),
 * 2 usage, or a file target that is not a regular file.
 */
#include "model.h"
#include "parse.h"
#include "print.h"
#include "ui.h"
#include "usage.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef ML_VERSION
#define ML_VERSION "1.0"
#endif

enum { OPT_FILE = 1000, OPT_INTERVAL, OPT_TRACE, OPT_PAGE, OPT_ONCE, OPT_JSON,
       OPT_WAIT, OPT_TIMEOUT, OPT_SAMPLES, OPT_NO_COLOR };

static void usage(FILE *f)
{
    fprintf(f,
"Usage: mmapview [OPTIONS] [TARGET]\n"
"\n"
"Watch a shared memory object or a mapped file live: its pages, which of\n"
"them are in memory, the selected page's bytes, the processes that map it\n"
"or hold it open, the physical frame each of them sees, and the programs'\n"
"trace.  It never writes to the object, and reads only pages in memory.\n"
"\n"
"TARGET is a shared memory name (/NAME: one slash, at the start) or a file\n"
"path; default $MMAPLAB_NAME, else /MyFileMappingObject.  It may not exist\n"
"yet: mmapview waits, and follows it through create, resize, unlink and\n"
"re-create.\n"
"\n"
"Options:\n"
"  --file PATH       watch the file PATH (even one that looks like /NAME)\n"
"  --interval MS     refresh every MS milliseconds (default 500, 50 to 60000)\n"
"  --trace FILE      the trace to show (default $MMAPLAB_TRACE, else the\n"
"                    per-user trace the programs write)\n"
"  --page N          select page N at start (default 0)\n"
"  --once            print the state as text and exit\n"
"  --json            print the state as one JSON document and exit\n"
"  --wait            with --once or --json: wait for the object to appear\n"
"  --timeout SEC     give up waiting after SEC seconds (exit 1)\n"
"  --samples N       with --once or --json: take N samples, --interval apart,\n"
"                    and print the last (changes since the one before it)\n"
"  --no-color        no colours (also when NO_COLOR is set)\n"
"  -h, --help        this help;  -V, --version  the version\n"
"\n"
"Keys: arrows or hjkl move, PgUp/PgDn, g/G first/last, [ ] one page,\n"
"Tab next panel, / find text or 0x hex bytes, n next, r refresh,\n"
"p pause, ? help, q quit.  See mmapview(1).\n"
"\n"
"Exit status: 0 the object exists, 1 it does not (or the wait timed out),\n"
"2 usage error, or a file target that cannot be shown (a directory, a FIFO,\n"
"a device).\n");
}

static long long number(const char *opt, const char *arg, long long min,
                        long long max)
{
    char why[256], msg[400];
    long long v = 0;

    if (ml_parse_count(arg, max, &v, why, sizeof why) == -1) {
        snprintf(msg, sizeof msg, "%s: %s", opt, why);
        usage_error("%s", msg);
    }
    if (v < min) {
        snprintf(msg, sizeof msg, "%s: '%s' is too small: at least %lld", opt,
                 arg, min);
        usage_error("%s", msg);
    }
    return v;
}

static void sleep_ms(double ms)
{
    long long ns = (long long)(ms * 1e6);
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

    while (ns > 0 && nanosleep(&ts, &ts) == -1)
        ;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool exists(const struct mv_snapshot *s)
{
    return s->state == MV_LIVE || s->state == MV_UNLINKED ||
           s->state == MV_REPLACED;
}

/* --once and --json: wait if asked, sample, print. */
static int answer(struct mv_model *m, bool json, bool wait, double timeout_s,
                  int samples, int interval)
{
    const struct mv_snapshot *s = mv_model_snapshot(m);
    double start = mv_now_ms();

    if (wait) {
        /* Only the name is looked at while waiting: cheap, so poll often. */
        for (;;) {
            mv_model_sample(m, MV_FAST);
            if (s->state == MV_LIVE)
                break;
            if (timeout_s > 0 && mv_now_ms() - start >= timeout_s * 1000)
                break;
            sleep_ms(20);
        }
    }
    double *fast = calloc((size_t)samples, sizeof *fast);
    double *slow = calloc((size_t)samples, sizeof *slow);
    if (fast == NULL || slow == NULL) {
        perror("mmapview");
        return 1;
    }
    mv_model_sample(m, MV_FAST | MV_SLOW | MV_FULL);
    fast[0] = s->fast_ms;
    slow[0] = s->slow_ms;
    for (int i = 1; i < samples; i++) {
        sleep_ms(interval);
        mv_model_sample(m, MV_FAST | MV_SLOW);
        fast[i] = s->fast_ms;
        slow[i] = s->slow_ms;
    }
    /* With several samples the first, a full pass, is left out of the
     * medians: they are meant to show the steady state. */
    int skip = samples > 1;
    struct print_timing t = { samples, median(fast + skip, samples - skip),
                              median(slow + skip, samples - skip) };
    if (json)
        print_json(stdout, s, &t);
    else
        print_text(stdout, s);
    free(fast);
    free(slow);
    if (fflush(stdout) == EOF || ferror(stdout)) {
        perror("mmapview: writing the output");
        return 1;
    }
    return exists(s) ? 0 : 1;
}

int main(int argc, char *argv[])
{
    static const struct option longs[] = {
        { "file", required_argument, NULL, OPT_FILE },
        { "interval", required_argument, NULL, OPT_INTERVAL },
        { "trace", required_argument, NULL, OPT_TRACE },
        { "page", required_argument, NULL, OPT_PAGE },
        { "once", no_argument, NULL, OPT_ONCE },
        { "json", no_argument, NULL, OPT_JSON },
        { "wait", no_argument, NULL, OPT_WAIT },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "samples", required_argument, NULL, OPT_SAMPLES },
        { "no-color", no_argument, NULL, OPT_NO_COLOR },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct mv_config cfg = { 0 };
    bool once = false, json = false, wait = false, color = true;
    int interval = 500, samples = 1;
    double timeout_s = 0;
    const char *file = NULL;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "hV", longs, NULL)) != -1) {
        switch (c) {
        case OPT_FILE: file = optarg; break;
        case OPT_INTERVAL: interval = (int)number("--interval", optarg, 50, 60000); break;
        case OPT_TRACE: cfg.trace = optarg; break;
        case OPT_PAGE: cfg.page = number("--page", optarg, 0, 1LL << 52); break;
        case OPT_ONCE: once = true; break;
        case OPT_JSON: json = true; break;
        case OPT_WAIT: wait = true; break;
        case OPT_TIMEOUT:
            timeout_s = (double)number("--timeout", optarg, 1, 86400);
            wait = true;
            break;
        case OPT_SAMPLES: samples = (int)number("--samples", optarg, 1, 10000); break;
        case OPT_NO_COLOR: color = false; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("mmapview %s\n", ML_VERSION); return 0;
        case ':':
            usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc - 1)
        usage_error("one TARGET only (got '%s' too)", argv[optind + 1]);
    if (file != NULL && optind < argc)
        usage_error("give either --file PATH or a TARGET, not both (TARGET '%s')",
                    argv[optind]);
    if (once && json)
        usage_error("%s", "--once and --json are two kinds of answer: choose one");
    if (file != NULL && file[0] == '\0')
        usage_error("%s", "--file needs a path");
    cfg.target = file ? file : optind < argc ? argv[optind] : NULL;
    cfg.force_file = file != NULL;
    if (wait && !json)
        once = true;                 /* waiting is for an answer */
    cfg.single = (once || json) && samples == 1;
    if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0')
        color = false;

    char why[512];
    struct mv_model *m = mv_model_new(&cfg, why, sizeof why);
    if (m == NULL)
        usage_error("%s", why);
    int status;
    if (once || json)
        status = answer(m, json, wait, timeout_s, samples, interval);
    else
        status = ui_run(m, interval, color);
    mv_model_free(m);
    return status;
}
