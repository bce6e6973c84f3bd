/* ui.c — the live screen: the sampling clock, keys, the search prompt and
 * help, and giving the terminal back on every way out.
 *
 * One thread: poll waits for a key, a signal (through a pipe) or the next
 * sample.  Keys redraw from the cached snapshot; only the selected page is
 * read again when the selection moves.  The screen is redrawn whole and
 * ncurses sends only the cells that changed.
 *
 * A crash gives the terminal back through fullscreen_give_back before the
 * signal goes on (fullscreen.h says how).
 */
#include "ui.h"
#include "fullscreen.h"
#include "view.h"
#include "wake.h"

#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOW_MS 2000

struct ui {
    struct mv_model *m;
    struct view_state vs;
    bool help, paused, prompting, quit;
    char input[128];
    size_t input_len;
    char message[256];
    bool message_bad;
    unsigned char needle[128];
    size_t needle_len;
};

static const char *help_lines[] = {
    "mmapview keys",
    "",
    "  arrows, h j k l   move the selection on the page map",
    "                    (scroll the panel when another has the focus)",
    "  PgUp PgDn         move by half the map     g G   first, last",
    "  [ ]               the previous, the next page (inside a cell)",
    "  Tab, Shift-Tab    focus: page map, hex, processes, trace",
    "  /                 find text, or hex bytes written 0x4d 65 73",
    "  n                 find the next match",
    "  r                 sample now        p   pause / go on",
    "  ?                 this help         q   quit",
    "",
    "Residency: mincore (resident) when the kernel tells this user the",
    "truth, else SEEK_DATA on tmpfs (allocated, swapped pages too), else",
    "unknown.  Frame numbers need CAP_SYS_ADMIN: without it they are hidden,",
    "and hidden frames are never shown as equal.  This viewer holds the",
    "object open only while its name exists or others still use it, and",
    "is left out of the counts.",
    "",
    "Any key closes this help.",
};

static void draw_help(void)
{
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int w = 76, h = n + 2;
    if (w > COLS)
        w = COLS;
    if (h > LINES - 1)
        h = LINES - 1;
    struct view_rect r = { (LINES - 1 - h) / 2, (COLS - w) / 2, h, w };
    for (int y = 0; y < r.h; y++)
        mvhline(r.y + y, r.x, ' ', r.w);
    struct view_state plain = { 0 };
    struct view_rect in = view_box(stdscr, r, "Help", true, &plain);
    for (int i = 0; i < n && i < in.h; i++)
        view_text(stdscr, in.y + i, in.x, in.w, help_lines[i]);
}

static void draw_status(struct ui *u)
{
    const struct mv_snapshot *s = mv_model_snapshot(u->m);
    char left[256], right[160], when[32] = "";
    int y = LINES - 1;

    move(y, 0);
    clrtoeol();
    if (u->prompting) {
        snprintf(left, sizeof left, "find (text, or 0x hex bytes): %.*s",
                 (int)u->input_len, u->input);
        view_text(stdscr, y, 0, COLS, left);
        curs_set(1);
        return;
    }
    curs_set(0);
    time_t sec = (time_t)(s->sampled_ns / 1000000000LL);
    struct tm tm;
    if (localtime_r(&sec, &tm) != NULL)
        strftime(when, sizeof when, "%H:%M:%S", &tm);
    snprintf(right, sizeof right, "%s%s %s %.1f/%.1fms",
             u->paused ? "PAUSED " : "", mv_state_word(s->state), when,
             s->fast_ms, s->slow_ms);
    if (u->message[0])
        snprintf(left, sizeof left, "%s", u->message);
    else
        snprintf(left, sizeof left, "q quit  ? help  %s move  [ ] page  Tab panel  "
                 "/ find  n next  r refresh  p pause",
                 u->vs.utf8 ? "\u2190\u2193\u2191\u2192 hjkl" : "hjkl");
    view_status(stdscr, y, left, right, u->message_bad, &u->vs);
}

static void draw(struct ui *u)
{
    erase();
    struct view_rect r = { 0, 0, LINES - 1, COLS };
    view_draw(stdscr, r, mv_model_snapshot(u->m), &u->vs);
    if (u->help)
        draw_help();
    draw_status(u);
    wnoutrefresh(stdscr);
    doupdate();
}

static void say(struct ui *u, bool bad, const char *fmt, const char *arg)
{
    snprintf(u->message, sizeof u->message, fmt, arg);
    u->message_bad = bad;
}

/* The typed text as bytes to find: "0x4d 65" is hex, the rest is text. */
static bool parse_needle(struct ui *u)
{
    const char *t = u->input;
    size_t n = u->input_len;

    u->needle_len = 0;
    if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        char digits[sizeof u->input];
        size_t k = 0;
        for (size_t i = 2; i < n; i++) {
            if (t[i] == ' ')
                continue;
            if (!isxdigit((unsigned char)t[i])) {
                say(u, true, "not hex: %s (write bytes like 0x4d 65 73)", u->input);
                return false;
            }
            digits[k++] = t[i];
        }
        if (k == 0 || k % 2 != 0) {
            say(u, true, "hex bytes come in pairs of digits: %s", u->input);
            return false;
        }
        for (size_t i = 0; i < k; i += 2) {
            char two[3] = { digits[i], digits[i + 1], '\0' };
            u->needle[u->needle_len++] = (unsigned char)strtoul(two, NULL, 16);
        }
        return true;
    }
    memcpy(u->needle, t, n);
    u->needle_len = n;
    return n > 0;
}

static void find(struct ui *u, bool next)
{
    const struct mv_snapshot *s = mv_model_snapshot(u->m);
    long long from = s->page.offset;
    bool wrapped;

    if (u->needle_len == 0) {
        say(u, true, "%s", "nothing to find yet: press / first");
        return;
    }
    if (next && u->vs.match_off >= 0)
        from = u->vs.match_off + 1;
    long long at = mv_model_search(u->m, u->needle, u->needle_len, from, &wrapped);
    if (at < 0) {
        u->vs.match_off = -1;
        say(u, true, "not found in the pages that can be read: %s", u->input);
        return;
    }
    u->vs.match_off = at;
    u->vs.match_len = u->needle_len;
    mv_model_select(u->m, at / s->page_size);
    u->vs.hex_top = 0;
    view_show_offset(&u->vs, s, (size_t)(at % s->page_size));
    char msg[160];
    snprintf(msg, sizeof msg, "found at %#llx, page %lld%s", at, at / s->page_size,
             wrapped ? " (from the start again)" : "");
    say(u, false, "%s", msg);
}

static void prompt_key(struct ui *u, int ch)
{
    if (ch == 27) {
        u->prompting = false;
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        u->prompting = false;
        u->input[u->input_len] = '\0';
        if (parse_needle(u)) {
            u->vs.match_off = -1;
            find(u, false);
        }
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (u->input_len > 0)
            u->input_len--;
    } else if (ch >= 0x20 && ch < 0x100 && ch != 0x7f &&
               u->input_len < sizeof u->input - 1) {
        u->input[u->input_len++] = (char)ch;
    }
    u->input[u->input_len] = '\0';
}

static void move_key(struct ui *u, enum view_move mv)
{
    const struct mv_snapshot *s = mv_model_snapshot(u->m);

    if (u->vs.focus != VIEW_MAP && mv != MOVE_PREV_PAGE && mv != MOVE_NEXT_PAGE) {
        view_scroll(&u->vs, mv);
        return;
    }
    long long to = view_move_selection(&u->vs, s, mv);
    if (to != s->page.index) {
        mv_model_select(u->m, to);
        u->vs.hex_top = 0;
    }
}

static void key(struct ui *u, int ch)
{
    if (u->prompting) {
        prompt_key(u, ch);
        return;
    }
    if (ch == KEY_RESIZE)
        return;
    u->message[0] = '\0';
    if (u->help) {
        u->help = false;
        if (ch != 'q')
            return;
    }
    switch (ch) {
    case 'q': case 'Q': u->quit = true; break;
    case '?': case KEY_F(1): u->help = true; break;
    case '\t': u->vs.focus = (enum view_panel)((u->vs.focus + 1) % VIEW_PANELS); break;
    case KEY_BTAB:
        u->vs.focus = (enum view_panel)((u->vs.focus + VIEW_PANELS - 1) % VIEW_PANELS);
        break;
    case KEY_LEFT: case 'h': move_key(u, MOVE_LEFT); break;
    case KEY_RIGHT: case 'l': move_key(u, MOVE_RIGHT); break;
    case KEY_UP: case 'k': move_key(u, MOVE_UP); break;
    case KEY_DOWN: case 'j': move_key(u, MOVE_DOWN); break;
    case KEY_PPAGE: case 2: move_key(u, MOVE_PGUP); break;
    case KEY_NPAGE: case 6: move_key(u, MOVE_PGDN); break;
    case 'g': case KEY_HOME: move_key(u, MOVE_FIRST); break;
    case 'G': case KEY_END: move_key(u, MOVE_LAST); break;
    case '[': move_key(u, MOVE_PREV_PAGE); break;
    case ']': move_key(u, MOVE_NEXT_PAGE); break;
    case '/':
        u->prompting = true;
        u->input_len = 0;
        u->input[0] = '\0';
        break;
    case 'n': find(u, true); break;
    case 'r': mv_model_sample(u->m, MV_FAST | MV_SLOW); break;
    case 'p': u->paused = !u->paused; break;
    case 12: clearok(curscr, TRUE); break;        /* Ctrl-L */
    default: break;
    }
}

int ui_run(struct mv_model *m, int interval_ms, bool color)
{
    struct ui u;
    const struct mv_snapshot *s = mv_model_snapshot(m);

    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "mmapview: the live view needs a terminal; for a script "
                "use --once or --json\n");
        return 2;
    }
    bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    if (wake_init(fullscreen_give_back, false) == -1) {
        perror("mmapview: pipe");
        return 1;
    }
    SCREEN *scr = fullscreen_open(&color);
    if (scr == NULL) {
        fprintf(stderr, "mmapview: cannot use this terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        return 1;
    }

    memset(&u, 0, sizeof u);
    u.m = m;
    view_init(&u.vs, color, utf8);

    double next_fast = 0, next_slow = 0;
    unsigned long long slow_seen = 0;
    bool first = true;
    int slow_every = interval_ms > SLOW_MS ? interval_ms : SLOW_MS;
    while (!wake_signal && !u.quit) {
        double now = mv_now_ms();
        if (!u.paused && now >= next_fast) {
            unsigned tiers = MV_FAST;
            if (first)
                tiers |= MV_SLOW | MV_FULL;
            if (now >= next_slow)
                tiers |= MV_SLOW;
            mv_model_sample(m, tiers);
            first = false;
            next_fast = now + interval_ms;
            if (s->slow_samples != slow_seen) {
                /* The model scans by itself when something happened: count
                 * that scan as the scheduled one. */
                slow_seen = s->slow_samples;
                next_slow = now + slow_every;
            }
        }
        draw(&u);
        int wait = u.paused ? -1 : (int)(next_fast - mv_now_ms());
        if (!u.paused && wait < 0)
            wait = 0;
        struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 }, { wake_fd(), POLLIN, 0 } };
        /* The terminal went away: a hangup, whether or not SIGHUP has come
         * yet, and ended like one. */
        if (poll(p, 2, wait) > 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
            wake_stop(SIGHUP);
        wake_drain();
        int ch;
        while (!wake_signal && (ch = getch()) != ERR)
            key(&u, ch);
    }
    fullscreen_close(scr);
    if (wake_signal)
        wake_die();       /* as the shell expects, now that the terminal is back */
    return s->state == MV_LIVE || s->state == MV_UNLINKED ||
           s->state == MV_REPLACED ? 0 : 1;
}
