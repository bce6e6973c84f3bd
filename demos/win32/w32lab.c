/* w32lab.c — the Win32 twins' command line and start: the common options
 * (README.md, "Options") with the rules of Win32 names, --help, the
 * heading, and Ctrl-C.  The narration itself is lib/narrate.c, shared with
 * the POSIX programs; sys_win32.c is what differs under it.
 */
#include "w32lab.h"
#include "narrate.h"
#include "parse.h"
#include "sys.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct wl_prog *wprog;
static struct wl_opts opts;
/* What the shared narration knows of the program: its name. */
static struct ml_prog core_prog;

enum { OPT_STEP = 1000, OPT_NO_HOLD, OPT_TRACE, OPT_NO_COLOR };

static char usage_err[1024];
static char name_buf[MAX_PATH + 8];
static char name_note[512];

void wl_usage_error(const char *fmt, ...)
{
    va_list ap;

    if (usage_err[0] != '\0')
        return;                 /* the first broken rule is the one to fix */
    va_start(ap, fmt);
    vsnprintf(usage_err, sizeof usage_err, fmt, ap);
    va_end(ap);
}

/* The same rules as the POSIX programs (lib/parse.c), so that one -s works
 * on both tracks. */
int wl_parse_size(const char *text, unsigned long long *outv,
                  char *why, size_t whysz)
{
    off_t v;

    if (ml_parse_size(text, &v, why, whysz) == -1)
        return -1;
    *outv = (unsigned long long)v;
    return 0;
}

/* Win32 object names: an optional Global\ or Local\ (the namespace), then
 * any characters but '\', MAX_PATH at most.  A single leading '/' is the
 * POSIX form (the same name given to both tracks): it is dropped, and the
 * student is told. */
static void check_name(const char *given, const char *from)
{
    char src[64] = "";
    const char *rest;
    size_t l;

    if (from)
        snprintf(src, sizeof src, " (from %s)", from);
    snprintf(name_buf, sizeof name_buf, "%s", given);
    if (given[0] == '/' && given[1] != '\0') {
        snprintf(name_buf, sizeof name_buf, "%s", given + 1);
        snprintf(name_note, sizeof name_note, "'%s' is the POSIX form of the "
                 "name; Win32 names have no leading '/', so this is \"%s\"",
                 given, name_buf);
    }
    rest = name_buf;
    l = strlen(name_note);
    if (l > 0 && (strncmp(rest, "Global\\", 7) == 0 ||
                  strncmp(rest, "Local\\", 6) == 0)) {
        snprintf(name_note + l, sizeof name_note - l, ". ");
        l += 2;
    }
    if (strncmp(rest, "Global\\", 7) == 0) {
        rest += 7;
        snprintf(name_note + l, sizeof name_note - l, "Global\\ puts the name "
                 "in the namespace every session shares (services, all users); "
                 "creating a mapping there needs SeCreateGlobalPrivilege on "
                 "Windows (Wine does not check it)");
    } else if (strncmp(rest, "Local\\", 6) == 0) {
        rest += 6;
        snprintf(name_note + l, sizeof name_note - l, "Local\\ is this "
                 "session's own namespace, where a name without a prefix goes "
                 "too");
    }
    if (strlen(name_buf) > MAX_PATH)
        wl_usage_error("the name is too long: at most %d characters%s",
                       MAX_PATH, src);
    else if (rest[0] == '\0')
        wl_usage_error("the name '%s' is empty%s: a name needs at least one "
                       "character%s", given, rest != name_buf ? " after its "
                       "prefix" : "", src);
    else if (strchr(rest, '\\'))
        wl_usage_error("the name '%s' has a '\\': a Win32 object name may not "
                       "contain one, except after the prefix Global\\ or "
                       "Local\\%s", given, src);
}

static void usage_line(FILE *f)
{
    unsigned t = wprog->takes;
    char line[1024];
    int l = snprintf(line, sizeof line, "Usage: %s.exe%s%s%s [--step]%s "
                     "[--trace FILE] [-q]", wprog->name,
                     t & WL_TAKES_NAME ? " [-n NAME]" : "",
                     t & WL_TAKES_SIZE ? " [-s SIZE]" : "",
                     t & WL_TAKES_MESSAGE ? " [-m TEXT]" : "",
                     t & WL_TAKES_HOLD ? " [--no-hold]" : "");
    for (const struct wl_option *o = wprog->own; o && o->name; o++) {
        if (o->key >= 0x4000)
            continue;           /* internal: how a parent starts its child */
        if (o->arg)
            l += snprintf(line + l, sizeof line - (size_t)l, " [--%s %s]",
                          o->name, o->arg);
        else
            l += snprintf(line + l, sizeof line - (size_t)l, " [--%s]", o->name);
        if ((size_t)l >= sizeof line)
            break;
    }
    fprintf(f, "%s\n", line);
}

static void help(void)
{
    unsigned t = wprog->takes;

    usage_line(stdout);
    printf("\n%s\n\n%s\n\n", wprog->summary, wprog->teaches);
    printf("POSIX twin: %s\n\n", wprog->posix);
    printf("Options:\n");
    if (t & WL_TAKES_NAME)
        printf(
            "  -n, --name NAME     the object's name (default $MMAPLAB_NAME, else\n"
            "                      %s): any characters but '\\', at most %d,\n"
            "                      optionally after Global\\ (every session) or\n"
            "                      Local\\ (this session, the default). A leading\n"
            "                      '/' (the POSIX form) is dropped.\n",
            wprog->default_name ? wprog->default_name : WL_DEFAULT_NAME,
            MAX_PATH);
    if (t & WL_TAKES_SIZE)
        printf(
            "  -s, --size BYTES    %s (default %llu):\n"
            "                      a number with an optional k, M or G, e.g. 4k\n",
            wprog->size_help ? wprog->size_help : "the object's size",
            wprog->default_size ? wprog->default_size : ML_DEFAULT_SIZE);
    if (t & WL_TAKES_MESSAGE)
        printf("  -m, --message TEXT  the message to copy (default \"%s\")\n",
            ML_DEFAULT_MESSAGE);
    for (const struct wl_option *o = wprog->own; o && o->name; o++) {
        char left[64];
        if (o->key >= 0x4000)
            continue;
        if (o->key < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-19s %s\n", left, o->help);
    }
    printf("      --step          pause before every call, showing it "
        "(Enter runs it)\n");
    if (t & WL_TAKES_HOLD)
        printf("      --no-hold       do not wait at the hold point\n");
    printf(
        "      --trace FILE    append the trace there (default $MMAPLAB_TRACE, else\n"
        "                      %%TEMP%%\\mmaplab\\trace.jsonl; 'off' for none). Under\n"
        "                      Wine a Unix path works: / is drive Z:\n"
        "  -q, --quiet         only errors and results\n"
        "      --no-color      accepted for the POSIX programs' sake (no colour here)\n"
        "  -h, --help          this help\n"
        "  -V, --version       the version\n\n"
        "Hold points read one line: press Enter (end of input also goes on).\n"
        "Exit status: 0 done, 1 a call failed (explained), 2 usage error.\n");
}

static void unknown_option(const char *arg, int opt)
{
    char shown[64];

    if (opt > 0 && opt < 256)
        snprintf(shown, sizeof shown, "-%c", opt);
    else
        snprintf(shown, sizeof shown, "%.60s", arg);
    if (opt == 's' || strncmp(shown, "--size", 6) == 0)
        wl_usage_error("%s takes no size: the size is fixed when the object is "
                       "created (first-process -s SIZE)", wprog->name);
    else if (opt == 'm' || strncmp(shown, "--message", 9) == 0)
        wl_usage_error("%s takes no message: first-process -m TEXT copies one "
                       "in", wprog->name);
    else if (opt == 'n' || strncmp(shown, "--name", 6) == 0)
        wl_usage_error("%s takes no name: its object has none", wprog->name);
    else
        wl_usage_error("unknown option '%s'", shown);
}

static BOOL WINAPI on_ctrl(DWORD type)
{
    struct trace_event e;
    const char *name = type == CTRL_C_EVENT ? "CTRL_C_EVENT"
                     : type == CTRL_BREAK_EVENT ? "CTRL_BREAK_EVENT"
                                                : "CTRL_CLOSE_EVENT";

    ml_event_begin(&e, "exit");
    trace_int(&e, "status", 130);
    trace_str(&e, "message", name);
    trace_write(&e);
    fflush(stdout);
    fprintf(stderr, "\n%s: stopped by %s; Windows closes every handle this "
            "process had: when they were the last ones, the object and its "
            "name are gone\n", ml_prog_name(), name);
    /* The status the trace just recorded, and what a shell expects of a
     * program stopped by SIGINT (Wine's default handler would exit 0). */
    ExitProcess(130);
}

void wl_start(const struct wl_prog *p, int argc, char *argv[],
              struct wl_opts *o)
{
    struct option longs[48];
    char shorts[96] = "+:qhV";
    const char *trace_flag = NULL, *env_name = getenv("MMAPLAB_NAME");
    const char *name = NULL;
    bool version = false, want_help = false;
    int nl = 0;

    /* Full buffering, flushed by every narration line (narrate.c). */
    setvbuf(stdout, NULL, _IOFBF, 1 << 14);
    wprog = p;
    core_prog = (struct ml_prog){ .name = p->name, .summary = p->summary,
                                  .teaches = p->teaches, .win32 = p->posix };
    ml_this_run.prog = &core_prog;
    memset(o, 0, sizeof *o);
    o->size = p->default_size ? p->default_size : ML_DEFAULT_SIZE;
    o->message = ML_DEFAULT_MESSAGE;
    o->hold = true;

    longs[nl++] = (struct option){ "step", no_argument, NULL, OPT_STEP };
    longs[nl++] = (struct option){ "trace", required_argument, NULL, OPT_TRACE };
    longs[nl++] = (struct option){ "quiet", no_argument, NULL, 'q' };
    longs[nl++] = (struct option){ "no-color", no_argument, NULL, OPT_NO_COLOR };
    longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
    longs[nl++] = (struct option){ "version", no_argument, NULL, 'V' };
    if (p->takes & WL_TAKES_NAME) {
        longs[nl++] = (struct option){ "name", required_argument, NULL, 'n' };
        strcat(shorts, "n:");
    }
    if (p->takes & WL_TAKES_SIZE) {
        longs[nl++] = (struct option){ "size", required_argument, NULL, 's' };
        strcat(shorts, "s:");
    }
    if (p->takes & WL_TAKES_MESSAGE) {
        longs[nl++] = (struct option){ "message", required_argument, NULL, 'm' };
        strcat(shorts, "m:");
    }
    if (p->takes & WL_TAKES_HOLD)
        longs[nl++] = (struct option){ "no-hold", no_argument, NULL, OPT_NO_HOLD };
    for (const struct wl_option *own = p->own; own && own->name && nl < 47; own++) {
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

    usage_err[0] = '\0';
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        char why[600];
        switch (c) {
        case 'n': name = optarg; break;
        case 's':
            if (wl_parse_size(optarg, &o->size, why, sizeof why) == -1)
                wl_usage_error("%s", why);
            break;
        case 'm': o->message = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': want_help = true; break;
        case 'V': version = true; break;
        case OPT_STEP: o->step = true; break;
        case OPT_NO_HOLD: o->hold = false; break;
        case OPT_TRACE: trace_flag = optarg; break;
        case OPT_NO_COLOR: break;
        case ':':
            wl_usage_error("option '%s' needs an argument", argv[optind - 1]);
            break;
        case '?':
            unknown_option(argv[optind - 1], optopt);
            break;
        default:
            if (p->own_option == NULL || p->own_option(c, optarg) == -1)
                wl_usage_error("option '%s' was not understood", argv[optind - 1]);
            break;
        }
    }
    if (want_help) {
        help();
        exit(ML_DONE);
    }
    if (version) {
        printf("%s (mmaplab, Win32) %s\n", p->name, ML_VERSION);
        exit(ML_DONE);
    }
    if (optind < argc)
        wl_usage_error("unexpected argument '%s': %s takes only options",
                       argv[optind], p->name);
    if (p->takes & WL_TAKES_NAME) {
        if (name)
            check_name(name, NULL);
        else if (env_name && env_name[0])
            check_name(env_name, "MMAPLAB_NAME");
        else
            check_name(p->default_name ? p->default_name : WL_DEFAULT_NAME,
                       NULL);
        o->name = name_buf;
        ml_set_object(name_buf);
    } else {
        o->name = "";
        if (ml_this_run.object == NULL)
            ml_set_object("");
    }
    o->trace = wl_trace_open(trace_flag, getenv("MMAPLAB_TRACE"));
    opts = *o;
    ml_this_run.opts.quiet = o->quiet;
    ml_this_run.opts.step = o->step;
    ml_this_run.opts.hold = o->hold;
    SetConsoleCtrlHandler(on_ctrl, TRUE);

    if (usage_err[0] != '\0') {
        ml_trace_start();       /* a refusal is recorded, with no heading */
        fprintf(stderr, "%s: %s\n", p->name, usage_err);
        usage_line(stderr);
        fprintf(stderr, "Nothing was done.  Try '%s.exe --help' for more.\n", p->name);
        ml_trace_simple("error", usage_err);
        ml_exit(ML_USAGE);
    }
    ml_announce();
}

/* The heading, printed by ml_announce once wl_start is done. */
void ml_sys_heading(void)
{
    printf("%s: %s\n", wprog->name, wprog->summary);
    if (wprog->takes & WL_TAKES_NAME)
        printf("  object \"%s\"   pid %lu   POSIX: %s\n", opts.name,
               (unsigned long)GetCurrentProcessId(), wprog->posix);
    else
        printf("  pid %lu   POSIX: %s\n", (unsigned long)GetCurrentProcessId(),
               wprog->posix);
    if (name_note[0])
        printf("  note: %s\n", name_note);
    fflush(stdout);
}

void wl_self_command(char *cmd, size_t cmdsz, const char *extra)
{
    char self[MAX_PATH * 2];
    DWORD n = GetModuleFileNameA(NULL, self, sizeof self);

    if (n == 0 || n >= sizeof self)
        snprintf(self, sizeof self, "%s.exe", ml_prog_name());
    snprintf(cmd, cmdsz, "\"%s\" --trace \"%s\"%s %s", self, opts.trace,
             opts.quiet ? " -q" : "", extra);
}
