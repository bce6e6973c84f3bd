/* opts.c — the common command line of every numbered program (README.md,
 * "Options"), its --help, and the start of a run.
 *
 * Bad input is refused before any call is made.  The first broken rule is
 * kept while parsing goes on, so that --trace is known and the refusal can
 * be recorded too.
 */
#include "narrate.h"
#include "parse.h"
#include "trace.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_STEP = 1000, OPT_NO_HOLD, OPT_TRACE, OPT_NO_COLOR };

static char usage_err[1400];

/* The first broken rule, said once parsing is over. */
static void usage_error(const char *fmt, ...) ML_PRINTF(1, 2);
static void usage_error(const char *fmt, ...)
{
    va_list ap;

    if (usage_err[0] != '\0')
        return;                 /* the first broken rule is the one to fix */
    va_start(ap, fmt);
    ml_vformat(usage_err, sizeof usage_err, fmt, ap);
    va_end(ap);
}

static void usage_line(FILE *f, const struct ml_prog *p)
{
    unsigned t = p->takes;

    fprintf(f, "Usage: %s [-n NAME]%s%s%s [--step]%s [--trace FILE] [-q] [--no-color]",
            p->name, t & ML_TAKES_SIZE ? " [-s SIZE]" : "",
            t & ML_TAKES_MESSAGE ? " [-m TEXT]" : "",
            t & ML_TAKES_DIR ? " [-d DIR]" : "",
            t & ML_TAKES_HOLD ? " [--no-hold]" : "");
    for (const struct ml_option *o = p->own; o && o->name; o++) {
        if (o->arg)
            fprintf(f, " [--%s %s]", o->name, o->arg);
        else
            fprintf(f, " [--%s]", o->name);
    }
    if (p->operands)
        fprintf(f, " %s", p->operands);
    fputc('\n', f);
}

static void help(const struct ml_prog *p)
{
    unsigned t = p->takes;

    usage_line(stdout, p);
    printf("\n%s\n\n%s\n\n", p->summary, p->teaches);
    printf("Win32 step it mirrors: %s\n", p->win32);
    printf("Run before it: %s    Run after it: %s\n\n",
           p->prev ? p->prev : "(none: it starts the walkthrough)",
           p->next ? p->next : "(none: it is the last)");
    printf("Options:\n");
    printf("  -n, --name NAME     the object's name: one leading '/', no other '/',\n"
           "                      1-255 characters after it (default $MMAPLAB_NAME,\n"
           "                      else %s)\n", ML_DEFAULT_NAME);
    if (t & ML_TAKES_SIZE)
        printf("  -s, --size BYTES    the object's size (default %d): a number with an\n"
               "                      optional k, M or G (powers of 1024), e.g. 4k, 1M\n",
               ML_DEFAULT_SIZE);
    if (t & ML_TAKES_MESSAGE)
        printf("  -m, --message TEXT  the message to copy (default \"%s\")\n",
               ML_DEFAULT_MESSAGE);
    if (t & ML_TAKES_DIR)
        printf("  -d, --dir DIR       the directory to make its file in (default: the\n"
               "                      current one)\n");
    for (const struct ml_option *o = p->own; o && o->name; o++) {
        char left[64];
        if (o->key < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-19s %s\n", left, o->help);
    }
    printf("      --step          pause before every call, showing it (Enter runs it)\n");
    if (t & ML_TAKES_HOLD)
        printf("      --no-hold       do not wait at the hold point\n");
    else
        printf("      --no-hold       accepted for scripts; this program does not hold\n");
    printf("      --trace FILE    append the trace there (default $MMAPLAB_TRACE, else\n"
           "                      a per-user file; 'off' for none): a regular file or\n"
           "                      a character device such as /dev/null, never a FIFO\n"
           "  -q, --quiet         no narration: only results, errors and the hold\n"
           "                      prompt; the program does just the same\n"
           "      --no-color      no colour (also when NO_COLOR is set)\n"
           "  -h, --help          this help\n"
           "  -V, --version       the version\n\n");
    printf("Hold points read one line: press Enter (end of input also goes on).\n"
           "Exit status: 0 done, 1 a call failed (explained), 2 usage error.\n");
}

/* The message for an option this program does not take. */
static void unknown_option(const struct ml_prog *p, const char *arg, int opt)
{
    char shown[64];

    if (opt > 0 && opt < 256)
        snprintf(shown, sizeof shown, "-%c", opt);
    else
        snprintf(shown, sizeof shown, "%.60s", arg);
    if (opt == 's' || strncmp(shown, "--size", 6) == 0)
        usage_error("%s takes no size: the size is fixed when the object is "
                       "created (01-create -s SIZE)", p->name);
    else if (opt == 'm' || strncmp(shown, "--message", 9) == 0)
        usage_error("%s takes no message: 03-copy -m TEXT copies one in",
                       p->name);
    else
        usage_error("unknown option '%s'", shown);
}

/* Store the value of the program's own option key (as given: shown). */
static void own_value(const struct ml_prog *p, int key, const char *arg, const char *shown)
{
    const struct ml_option *o = p->own;
    char why[300];
    long long n;

    while (o && o->name && o->key != key)
        o++;
    if (o == NULL || o->name == NULL) {
        usage_error("option '%s' was not understood", shown);
        return;
    }
    switch (o->kind) {
    case ML_FLAG:
        *(bool *)o->to = true;
        break;
    case ML_TEXT:
        *(const char **)o->to = arg;
        break;
    case ML_SIZE:
        if (ml_parse_size(arg, (off_t *)o->to, why, sizeof why) == -1)
            usage_error("--%s: %s", o->name, why);
        break;
    case ML_COUNT:
        if (arg[strspn(arg, "0123456789")] != '\0' || arg[0] == '\0')
            usage_error("--%s: '%s' is not a whole number (%lld to %lld)",
                           o->name, arg, o->min, o->max);
        else if (ml_parse_count(arg, o->max, &n, why, sizeof why) == -1)
            usage_error("--%s: %s", o->name, why);
        else if (n < o->min)
            usage_error("--%s: '%s' is too small: at least %lld", o->name, arg, o->min);
        else
            *(long long *)o->to = n;
        break;
    }
}

void ml_start(const struct ml_prog *p, int argc, char *argv[],
              struct ml_opts *o)
{
    struct option longs[48];
    char shorts[96] = "+:n:qhV";    /* '+': stop at the first operand */
    const char *trace_flag = NULL, *env_name = getenv("MMAPLAB_NAME");
    bool no_color = false, version = false, want_help = false;
    int nl = 0;

    /* A buffer of its own: stdio would otherwise allocate one (and ask
     * isatty) at the first line printed, and -q would change the calls. */
    static char outbuf[BUFSIZ];
    setvbuf(stdout, outbuf, _IOLBF, sizeof outbuf);
    memset(o, 0, sizeof *o);
    o->name = env_name && env_name[0] ? env_name : ML_DEFAULT_NAME;
    o->size = ML_DEFAULT_SIZE;
    o->message = ML_DEFAULT_MESSAGE;
    o->dir = ".";
    o->hold = true;

    longs[nl++] = (struct option){ "name", required_argument, NULL, 'n' };
    longs[nl++] = (struct option){ "step", no_argument, NULL, OPT_STEP };
    longs[nl++] = (struct option){ "trace", required_argument, NULL, OPT_TRACE };
    longs[nl++] = (struct option){ "quiet", no_argument, NULL, 'q' };
    longs[nl++] = (struct option){ "no-color", no_argument, NULL, OPT_NO_COLOR };
    longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
    longs[nl++] = (struct option){ "version", no_argument, NULL, 'V' };
    if (p->takes & ML_TAKES_SIZE) {
        longs[nl++] = (struct option){ "size", required_argument, NULL, 's' };
        strcat(shorts, "s:");
    }
    if (p->takes & ML_TAKES_MESSAGE) {
        longs[nl++] = (struct option){ "message", required_argument, NULL, 'm' };
        strcat(shorts, "m:");
    }
    if (p->takes & ML_TAKES_DIR) {
        longs[nl++] = (struct option){ "dir", required_argument, NULL, 'd' };
        strcat(shorts, "d:");
    }
    /* Every program takes --no-hold, so that scripts can pass it to all. */
    longs[nl++] = (struct option){ "no-hold", no_argument, NULL, OPT_NO_HOLD };
    for (const struct ml_option *own = p->own; own && own->name && nl < 47; own++) {
        longs[nl++] = (struct option){ own->name,
            own->arg ? required_argument : no_argument, NULL, own->key };
        if (own->key < 256) {
            size_t l = strlen(shorts);
            shorts[l++] = (char)own->key;
            if (own->arg)
                shorts[l++] = ':';
            shorts[l] = '\0';
        }
    }
    longs[nl] = (struct option){ NULL, 0, NULL, 0 };

    ml_this_run.prog = p;
    usage_err[0] = '\0';
    opterr = 0;
    optind = 1;
    const char *name_from = env_name && env_name[0] ? "MMAPLAB_NAME" : NULL;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        char why[600];
        switch (c) {
        case 'n': o->name = optarg; name_from = NULL; break;
        case 's':
            if (ml_parse_size(optarg, &o->size, why, sizeof why) == -1)
                usage_error("%s", why);
            break;
        case 'm': o->message = optarg; break;
        case 'd': o->dir = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': want_help = true; break;
        case 'V': version = true; break;
        case OPT_STEP: o->step = true; break;
        case OPT_NO_HOLD: o->hold = false; break;
        case OPT_TRACE: trace_flag = optarg; break;
        case OPT_NO_COLOR: no_color = true; break;
        case ':':
            usage_error("option '%s' needs an argument", argv[optind - 1]);
            break;
        case '?':
            unknown_option(p, argv[optind - 1], optopt);
            break;
        default:
            own_value(p, c, optarg, argv[optind - 1]);
            break;
        }
    }
    if (want_help) {
        help(p);
        exit(ML_DONE);
    }
    if (version) {
        printf("%s (mmaplab) %s\n", p->name, ML_VERSION);
        exit(ML_DONE);
    }
    o->operands = argv + optind;
    o->noperands = argc - optind;
    if (o->noperands > 0 && p->operands == NULL)
        usage_error("unexpected argument '%s': %s takes only options",
                       o->operands[0], p->name);
    char why[600];
    if (ml_check_name(o->name, why, sizeof why) == -1) {
        if (name_from)
            usage_error("%s (from %s)", why, name_from);
        else
            usage_error("%s", why);
    }

    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    ml_this_run.color = !no_color && !(nc && nc[0]) && isatty(STDOUT_FILENO) &&
                   !(term && strcmp(term, "dumb") == 0);
    ml_this_run.opts = *o;
    ml_this_run.object = o->name;
    ml_this_run.started = false;

    trace_open(p->name, trace_flag, getenv("MMAPLAB_TRACE"));
    ml_catch_signals();

    if (usage_err[0] != '\0') {
        ml_trace_start();       /* a refusal is recorded, with no heading */
        fflush(stdout);
        fprintf(stderr, "%s: %s\n", p->name, usage_err);
        usage_line(stderr, p);
        fprintf(stderr, "Nothing was done.  Try '%s --help' for more.\n", p->name);
        ml_trace_simple("error", usage_err);
        ml_exit(ML_USAGE);
    }
}
