/* tour_script.h — what the tour says and does: the walkthrough's steps
 * and the further programs.  The screen and the text tour both follow it.
 */
#ifndef MMAPLAB_TOUR_SCRIPT_H
#define MMAPLAB_TOUR_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>

enum { PANE_FIRST, PANE_SECOND, PANES };

/* Where a line the narration names is shown: a program's pane, or a row
 * of one of the viewer's panels. */
enum tour_part { TN_NONE, TN_PANE, TN_OBJECT, TN_HEX, TN_FRAMES, TN_PROCS, TN_PARTS };

/* A line the narration names: a POSIX extended regular expression that
 * matches it as the screen shows it (the panel's row, or the program's
 * output line).  The screen opens the part that holds it, scrolls it into
 * view and marks it; the tests look for it on screen at every size. */
struct tour_named {
    enum tour_part part;
    const char *re;
};

#define TOUR_MAX_NAMED 3

/* "pane", "object", ...: for --list-named and the tests. */
const char *tour_part_word(enum tour_part p);

/* One step of the walkthrough: one Space.  When it is shown, the program in
 * pane stands before the call `at` (paused by --step) or at its hold point
 * (`at` is "hold"); Space presses Enter `go` times in it.  Where the
 * program must stand afterwards is the `at` of the next step that uses it,
 * or, when none does, its end (status 0). */
struct tour_step {
    int pane;
    const char *prog;         /* started when the step comes, if not running */
    const char *at;
    int go;
    const char *title;        /* a few words */
    const char *what;         /* what is about to happen */
    const char *watch;        /* what to watch in the panels */
    const char *seen;         /* what the panels show once it has happened */
    bool look;                /* the text tour prints a snapshot after it */
    /* What its Watch: and Done: name, once it has happened (the pane is
     * the step's own). */
    struct tour_named named[TOUR_MAX_NAMED];
};

extern const struct tour_step tour_steps[];
extern const int tour_nsteps;

/* A further program: run whole, pausing at its hold points. */
enum tour_obj { OBJ_SHM, OBJ_FILE };

#define TOUR_MAX_HOLDS 3

/* The menu's key for each further program, in tour_extras' order: 6-9 for
 * 06-09, then 0-3 for 10-13. */
#define TOUR_EXTRA_KEYS "67890123"

struct tour_extra {
    const char *prog;         /* "07-file-pages" */
    const char *menu;         /* one line: what it shows */
    enum tour_obj obj;        /* what the viewer follows: the tour's name, */
    const char *file;         /* or this file in the tour's directory */
    const char *dir_opt;      /* the option that puts the file there: -d DIR
                               * (the directory) or -o FILE (the file) */
    const char *intro;        /* what it does */
    const char *watch;        /* what to watch while it runs */
    int nholds;
    const char *holds[TOUR_MAX_HOLDS];   /* what each hold point shows */
    const char *done;         /* once it has ended */
    /* At each hold, then once it has ended: the lines its narration names
     * (its output, or the panels' rows). */
    struct tour_named named[TOUR_MAX_HOLDS + 1][TOUR_MAX_NAMED];
};

extern const struct tour_extra tour_extras[];
extern const int tour_nextras;

/* Every named line, one a row: "step<TAB>N<TAB>first|second<TAB>PART<TAB>ERE"
 * or "program<TAB>NN-name<TAB>hold H of N|done<TAB>PART<TAB>ERE" (what the
 * screen tests look for).  Returns how many expressions do not compile. */
int tour_list_named(FILE *f);

/* The extra whose program starts with "NN" ("06", "6", "06-inherit"), or
 * -1. */
int tour_extra_find(const char *which);

#endif
