/* tour.c — mmaplab-tour, the guided tour behind `make demo`.
 *
 *   mmaplab-tour                 the full-screen tour (on a terminal)
 *   mmaplab-tour --text          the same tour as narrated text, with
 *                                mmapview --once snapshots (chosen by itself
 *                                when stdin or stdout is not a terminal, or
 *                                the terminal cannot show the screen)
 *   mmaplab-tour --from 9        start at step 9 (the steps before it run
 *                                by themselves first)
 *   mmaplab-tour --program 07    start at one of the further programs
 *
 * It runs the walkthrough 01-create ... 05-close with --step, the first and
 * second process side by side, pressing Enter for them one step at a time,
 * and shows the viewer's panels on the object beside a narration of each
 * step; then it offers 06-13.  Keys: Space or Enter next, b back one step,
 * a play by itself (--delay SEC and a reading time a word of the
 * narration; + and - change it), Tab the next part of a small screen,
 * PgUp and PgDn the programs' output, q quit, ? help.
 *
 * The object is /mmaplab-tour-USER-PID (-n to choose), its files go in a
 * directory of its own (--dir), and nothing is left behind on any way out:
 * q, the end, Ctrl-C, SIGTERM, SIGHUP, a crash.  The tour itself never maps
 * or opens the object to use it; its programs do (its viewer's model holds
 * a read-only descriptor while the name exists, as mmapview does, and is
 * left out of every count).
 *
 * Exit status: 0 done or quit, 1 a program did not do what the tour
 * expected (said why), 2 usage; a signal that stopped it is raised again
 * once everything is cleaned up.
 */
#include "tour_engine.h"
#include "tour_screen.h"
#include "tour_text.h"
#include "fullscreen.h"
#include "parse.h"
#include "usage.h"
#include "wake.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ML_VERSION
#define ML_VERSION "1.0"
#endif

static char g_own_dir[4096];       /* made by the tour: removed at the end */

/* On a crash: everything here is async-signal-safe: the terminal back,
 * the programs killed, the object and the files unlinked. */
static void last_words(void)
{
    fullscreen_give_back();
    tour_emergency();
    if (g_own_dir[0])
        rmdir(g_own_dir);
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: mmaplab-tour [--text] [-n NAME] [--dir DIR] [--delay SEC] [--from STEP]\n"
"                    [--program NN] [--timeout SEC] [--no-color]\n"
"\n"
"The guided tour of mmaplab (make demo): the walkthrough 01-create ... 05-close\n"
"one call at a time, the first and second process side by side, with the\n"
"viewer's panels on the object and what to watch in them; then the further\n"
"programs 06-13.\n"
"\n"
"Options:\n"
"  --text            narrated text with mmapview --once snapshots, no keys\n"
"                    (also when stdin or stdout is not a terminal)\n"
"  -n, --name NAME   the object (default /mmaplab-tour-USER-PID); it must not\n"
"                    exist, and it is removed on every way out\n"
"  --dir DIR         where the trace and the programs' files go (default a new\n"
"                    directory in $TMPDIR or /tmp, removed at the end)\n"
"  --delay SEC       playing by itself, how long each stop stays before the\n"
"                    reading time of its narration (0.3 s a word; + and -\n"
"                    change it) (default 2.5)\n"
"  --from STEP       start at step STEP of the walkthrough (1-18): the steps\n"
"                    before it run by themselves first\n"
"  --program NN      start at further program NN (06 to 13)\n"
"  --timeout SEC     how long a program may take to reach its next stop\n"
"                    (default 30)\n"
"  --no-color        no colours (also when NO_COLOR is set)\n"
"  --list-named      list the lines each step's narration names, as the\n"
"                    screen must show them (for the tests), and exit\n"
"  -h, --help, -V, --version\n"
"\n"
"Keys: Space or Enter next step, b back one step (the programs run again up\n"
"to it), a play by itself (--delay, then 0.3 s a word of the narration),\n"
"+ and - less or more reading time a word, Tab and Shift-Tab the parts of a\n"
"screen too small for every panel (each stop opens on the one its narration\n"
"names), PgUp PgDn the programs' output, q quit, ? help.\n"
"In the list of further programs:\n"
"arrows and Enter, or 6-9, 0-3 for 10-13.\n"
"\n"
"Environment: MMAPLAB_BIN, where the numbered programs are, and MMAPLAB_VIEWER,\n"
"the mmapview that takes the text tour's snapshots (default: beside this\n"
"program).  Exit status: 0 done or quit, 1 a program did not do what the\n"
"tour expected, 2 usage.\n");
}

static double seconds(const char *opt, const char *arg, double min, double max)
{
    char *end;
    double v = strtod(arg, &end);
    char msg[200];

    if (end == arg || *end != '\0' || !(v >= min && v <= max)) {
        snprintf(msg, sizeof msg, "%s wants seconds from %g to %g, not '%%s'", opt, min, max);
        usage_error(msg, arg);
    }
    return v;
}

static void default_name(char *out, size_t n)
{
    struct passwd *pw = getpwuid(getuid());
    char user[64];
    size_t k = 0;

    if (pw != NULL && pw->pw_name[0] != '\0') {
        for (const char *s = pw->pw_name; *s && k < sizeof user - 1; s++) {
            char c = *s;
            bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            user[k++] = safe ? c : '_';
        }
    }
    user[k] = '\0';
    if (k == 0)
        snprintf(user, sizeof user, "uid%ld", (long)getuid());
    snprintf(out, n, "/mmaplab-tour-%s-%ld", user, (long)getpid());
}

/* The directory this program is in. */
static void self_dir(char *out, size_t n)
{
    char exe[4096];
    ssize_t r = readlink("/proc/self/exe", exe, sizeof exe - 1);

    if (r <= 0) {
        snprintf(out, n, ".");
        return;
    }
    exe[r] = '\0';
    snprintf(out, n, "%s", dirname(exe));
}

int main(int argc, char *argv[])
{
    static const struct option longs[] = {
        { "text", no_argument, NULL, 't' },
        { "name", required_argument, NULL, 'n' },
        { "dir", required_argument, NULL, 'd' },
        { "delay", required_argument, NULL, 'D' },
        { "program", required_argument, NULL, 'p' },
        { "from", required_argument, NULL, 'F' },
        { "timeout", required_argument, NULL, 'T' },
        { "no-color", no_argument, NULL, 'C' },
        { "list-named", no_argument, NULL, 'L' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    static struct tour t;
    bool text = false, color = true;
    const char *name = NULL, *dir = NULL, *program = NULL;
    double delay = 2.5, timeout = 30;
    int from = 1;
    int c;

    usage_name("mmaplab-tour");
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:hV", longs, NULL)) != -1) {
        switch (c) {
        case 't': text = true; break;
        case 'n': name = optarg; break;
        case 'd': dir = optarg; break;
        case 'D': delay = seconds("--delay", optarg, 0.05, 600); break;
        case 'p': program = optarg; break;
        case 'F': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || v < 1 || v > tour_nsteps)
                usage_error("--from wants a step from 1 to 18, not '%s'", optarg);
            from = (int)v;
            break;
        }
        case 'T': timeout = seconds("--timeout", optarg, 1, 3600); break;
        case 'C': color = false; break;
        case 'L': return tour_list_named(stdout) == 0 ? 0 : 1;
        case 'h': usage(stdout); return 0;
        case 'V': printf("mmaplab-tour %s\n", ML_VERSION); return 0;
        case ':': usage_error("option '%s' needs a value", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        usage_error("no operands are taken (got '%s')", argv[optind]);
    if (getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0')
        color = false;
    int extra = -1;
    if (program != NULL && (extra = tour_extra_find(program)) < 0)
        usage_error("--program wants one of 06 to 13, not '%s'", program);

    tour_init(&t);
    char why[600];
    if (name == NULL)
        default_name(t.name, sizeof t.name);
    else if (ml_check_name(name, why, sizeof why) == -1)
        usage_error("%s", why);
    else
        snprintf(t.name, sizeof t.name, "%s", name);
    char shm[320];
    snprintf(shm, sizeof shm, "/dev/shm%s", t.name);
    if (access(shm, F_OK) == 0) {
        fprintf(stderr, "mmaplab-tour: %s exists already, and the tour removes its object "
                "at the end: it leaves this one alone.  Remove it (bin/mmaplab clean) or "
                "choose another name with -n.\n", t.name);
        return 2;
    }

    const char *env_bin = getenv("MMAPLAB_BIN");
    char here[4096];
    self_dir(here, sizeof here);
    snprintf(t.bin, sizeof t.bin, "%s", env_bin && env_bin[0] ? env_bin : here);
    char first[4400];
    snprintf(first, sizeof first, "%s/%s", t.bin, tour_steps[0].prog);
    if (access(first, X_OK) == -1) {
        fprintf(stderr, "mmaplab-tour: the programs are not in %s (%s): build them with "
                "make, or set MMAPLAB_BIN\n", t.bin, strerror(errno));
        return 1;
    }
    /* Installed, the tour sits with the programs in libexec and the viewer
     * in bin: the front door says where. */
    const char *env_viewer = getenv("MMAPLAB_VIEWER");
    char viewer[4200];
    if (env_viewer && env_viewer[0])
        snprintf(viewer, sizeof viewer, "%s", env_viewer);
    else
        snprintf(viewer, sizeof viewer, "%s/mmapview", here);

    struct stat st;
    if (dir != NULL) {
        if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
            usage_error("--dir %s: not a directory", dir);
        snprintf(t.dir, sizeof t.dir, "%s", dir);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(t.dir, sizeof t.dir, "%s/mmaplab-tour.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (mkdtemp(t.dir) == NULL) {
            fprintf(stderr, "mmaplab-tour: cannot make a directory %s: %s\n", t.dir,
                    strerror(errno));
            return 1;
        }
        snprintf(g_own_dir, sizeof g_own_dir, "%s", t.dir);
    }
    t.timeout_ms = (int)(timeout * 1000);
    t.from = from - 1;

    if (wake_init(last_words, true) == -1) {
        fprintf(stderr, "mmaplab-tour: pipe: %s\n", strerror(errno));
        if (g_own_dir[0])
            rmdir(g_own_dir);
        return 1;
    }
    /* Whatever the programs fork comes back to the tour if they die first,
     * so that it can reap everything it started. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (!text && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
        text = true;
    int status = text ? 0 : tour_screen_run(&t, extra, color, (int)(delay * 1000));
    if (!text && status == TOUR_NO_SCREEN) {
        fprintf(stderr, "mmaplab-tour: this terminal (TERM=%s) cannot show the full-screen "
                "tour: here it is as text\n", getenv("TERM") ? getenv("TERM") : "");
        text = true;
    }
    if (text)
        status = tour_text_run(&t, extra, viewer);
    tour_end(&t);
    if (g_own_dir[0] && rmdir(g_own_dir) == -1)
        fprintf(stderr, "mmaplab-tour: %s: %s\n", g_own_dir, strerror(errno));
    g_own_dir[0] = '\0';
    if (wake_signal) {
        int sig = (int)wake_signal;
        fprintf(stderr, "mmaplab-tour: stopped by %s; the programs are stopped and %s is "
                "removed: nothing is left behind.\n",
                sig == SIGINT ? "SIGINT (Ctrl-C)" : sig == SIGTERM ? "SIGTERM"
                : sig == SIGHUP ? "SIGHUP" : sig == SIGQUIT ? "SIGQUIT" : "SIGPIPE", t.name);
        wake_die();
    }
    return status;
}
