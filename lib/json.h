/* json.h — the little JSON the trace needs: escaping strings for the
 * writer, and reading back one flat object per line for the viewer and the
 * checkers.  Plain C11 with no system calls, so the Win32 programs and
 * signal handlers can use the writer too.
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

enum json_type { JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL, JSON_NESTED };

struct json_field {
    const char *key;
    enum json_type type;
    const char *str;   /* strings unescaped; numbers, nested values as text */
    long long num;     /* JSON_NUMBER: its value, cut to an integer and
                          clamped to long long's range */
    bool is_int;       /* written as an integer that fits in num */
    bool b;            /* JSON_BOOL */
};

#define JSON_MAX_FIELDS 40

struct json_obj {
    int n;
    struct json_field f[JSON_MAX_FIELDS];
    char store[8192];  /* keys and values live here */
};

/* Parse one JSON object (a trace line).  Values may be strings, numbers,
 * booleans, null, or nested objects and arrays (kept as text).  Returns 0,
 * or -1 when the text is not one well-formed object (trailing white space
 * is allowed, anything else is not). */
int json_parse(const char *text, size_t len, struct json_obj *o);

/* The field named key, or NULL. */
const struct json_field *json_get(const struct json_obj *o, const char *key);

/* The string value of key, or NULL when it is missing or not a string. */
const char *json_str(const struct json_obj *o, const char *key);

#endif
