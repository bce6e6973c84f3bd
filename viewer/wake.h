/* wake.h — the signals that end a full-screen program (mmapview's live
 * view, the guided tour), and the wake-up that tells its poll loop.
 *
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are recorded (the first one wins)
 * and write a byte to a pipe, so that poll wakes; the loop ends, the
 * program cleans up and then dies of the signal (wake_die), as a shell
 * expects.  A crash signal calls last_words (async-signal-safe: give the
 * terminal back, kill children, unlink) and goes on to the handler that
 * was there before (AddressSanitizer's, or the default).
 */
#ifndef MMAPVIEW_WAKE_H
#define MMAPVIEW_WAKE_H

#include <signal.h>
#include <stdbool.h>

/* The signal that stopped the program, once one has come; else 0. */
extern volatile sig_atomic_t wake_signal;

/* Install the handlers; last_words may be NULL.  With ignore_sigpipe a
 * reader gone is seen at the write, not by a signal.  Returns 0, or -1
 * with errno when the pipe cannot be made (nothing installed then). */
int wake_init(void (*last_words)(void), bool ignore_sigpipe);
/* Readable once a stopping signal has come (for poll). */
int wake_fd(void);
/* Read the pending wake-ups. */
void wake_drain(void);
/* Stop as if sig had come (a hangup seen by poll, a reader gone). */
void wake_stop(int sig);
/* Die of the signal that stopped the program (it must have come). */
_Noreturn void wake_die(void);

#endif
