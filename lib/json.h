/* json.h — the little JSON the trace writer needs: escaping strings.
 * Plain C11 with no system calls and no allocation, so the Win32 programs
 * and signal handlers can use it too.  The trace is read back with jansson
 * (the viewer, the tour, tests/tools/tracecheck.c).
 */
#ifndef MMAPLAB_JSON_H
#define MMAPLAB_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Write s (n bytes) as a quoted JSON string into out (cap bytes, always
 * NUL-terminated when cap > 0).  At most limit input bytes are kept; a longer
 * string is cut on a character boundary and ends in "[cut]" (and *cut, when
 * given, is set).  Quotes, backslashes and control bytes are escaped; bytes
 * that are not valid UTF-8 become U+FFFD.  Returns the length written, or 0
 * when cap is under 9 bytes, too small for the quotes, the cut mark and the
 * NUL (nothing useful was written; out[0] is NUL when cap > 0). */
size_t json_quote(char *out, size_t cap, const char *s, size_t n,
                  size_t limit, bool *cut);

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are not one (bad lead, bad continuation, overlong, surrogate,
 * past U+10FFFF, or cut short). */
size_t json_utf8_len(const unsigned char *s, size_t n);

#endif
