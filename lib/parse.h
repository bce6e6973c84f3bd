/* parse.h — the input rules of the common options (README.md, "Options"),
 * one message per rule, checked before any call is made.
 */
#ifndef MMAPLAB_PARSE_H
#define MMAPLAB_PARSE_H

#include <stddef.h>
#include <sys/types.h>

/* Check a shared memory object name.  Returns 0, or -1 with the rule that
 * was broken in why:  one leading '/', no other '/', 1 to 255 characters
 * after it, not "/." or "/..". */
int ml_check_name(const char *name, char *why, size_t whysz);

/* Parse a size: a decimal number with an optional suffix k, M or G (powers
 * of 1024, either case, optionally followed by "iB" or "B"), or a bare "B".
 * Returns 0 with the size in *out, or -1 with the reason in why
 * (empty, not a number, negative, zero, unknown suffix, past the last whole
 * page an off_t reaches). */
int ml_parse_size(const char *text, off_t *out, char *why, size_t whysz);

/* Parse a non-negative decimal integer no larger than max (counts, indexes,
 * descriptor numbers).  Returns 0, or -1 with the reason in why. */
int ml_parse_count(const char *text, long long max, long long *out,
                   char *why, size_t whysz);

#endif
