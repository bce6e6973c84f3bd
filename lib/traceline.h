/* traceline.h — one line of the trace read back (lessons/trace.md), for
 * the viewer, the tour and the tests' checker.  The reading is jansson's;
 * what a line must be to count as an event is decided here, once.
 */
#ifndef MMAPLAB_TRACELINE_H
#define MMAPLAB_TRACELINE_H

#include <stddef.h>
#include <jansson.h>

/* The n bytes at line as one JSON object (the caller json_decref()s it), or
 * NULL when they are not exactly one object, with why in err when err is
 * not NULL.  A trace file is outside data,
 * written by anyone who can append to it: a string holding a NUL
 * (\u0000, which a C string would cut short), a key given twice (which of
 * the two is meant?), a number past 64 bits and bytes that are not UTF-8
 * make the line no event. */
json_t *traceline_read(const char *line, size_t n, json_error_t *err);

/* The string value of key, or NULL when it is missing or not a string. */
const char *traceline_str(const json_t *o, const char *key);

/* The integer value of key, or 0 when it is missing or not an integer
 * (1.5 and "3" are not). */
long long traceline_int(const json_t *o, const char *key);

#endif
