/* fullscreen.h — taking the terminal for a full-screen face (mmapview's
 * live view, the guided tour) and giving it back on every way out.
 *
 * A crash signal cannot call endwin (it is not async-signal-safe), so the
 * sequences that leave the alternate screen and show the cursor are looked
 * up when the screen is taken, and fullscreen_give_back writes them and
 * restores the saved termios with write(2) and tcsetattr(3): a signal
 * handler may call it.  An ordinary exit calls endwin (atexit).
 */
#ifndef MMAPVIEW_FULLSCREEN_H
#define MMAPVIEW_FULLSCREEN_H

#include <curses.h>
#include <stdbool.h>

/* The terminal in cbreak, no echo, keypad, non-blocking keys, no cursor;
 * colours when *color asks and the terminal has them (*color says which).
 * NULL when the terminal cannot be used (nothing is changed then). */
SCREEN *fullscreen_open(bool *color);
/* The terminal back, the ordinary way. */
void fullscreen_close(SCREEN *scr);
/* The terminal back from a signal handler; does nothing when it is back. */
void fullscreen_give_back(void);

#endif
