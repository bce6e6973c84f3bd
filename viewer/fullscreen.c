/* fullscreen.c — the terminal taken and given back; see fullscreen.h. */
#include "fullscreen.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static struct termios g_tio;
static bool g_tio_saved;
static char g_reset[256];
static size_t g_reset_len;
static volatile sig_atomic_t g_on;

void fullscreen_give_back(void)
{
    if (!g_on)
        return;
    g_on = 0;
    if (g_reset_len && write(STDOUT_FILENO, g_reset, g_reset_len) < 0) {
        /* Nothing more can be done from a signal handler. */
    }
    if (g_tio_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &g_tio);
}

static void at_exit(void)
{
    if (g_on) {
        endwin();
        g_on = 0;
    }
}

/* Appends terminfo capability NAME to what a crash writes. */
static void add_cap(const char *name)
{
    char *s = tigetstr(name);
    if (s == NULL || s == (char *)-1)
        return;
    size_t n = strlen(s);
    if (g_reset_len + n < sizeof g_reset) {
        memcpy(g_reset + g_reset_len, s, n);
        g_reset_len += n;
    }
}

SCREEN *fullscreen_open(bool *color)
{
    static bool exit_set;

    g_tio_saved = tcgetattr(STDIN_FILENO, &g_tio) == 0;
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (scr == NULL)
        return NULL;
    g_on = 1;
    if (!exit_set)
        exit_set = atexit(at_exit) == 0;
    g_reset_len = 0;
    add_cap("rmcup");            /* leave the alternate screen */
    add_cap("cnorm");            /* the cursor back */
    add_cap("sgr0");             /* no attributes */
    add_cap("rmkx");             /* the keypad back in its normal mode */
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    *color = *color && has_colors();
    if (*color)
        start_color();
    return scr;
}

void fullscreen_close(SCREEN *scr)
{
    endwin();
    g_on = 0;
    delscreen(scr);
}
