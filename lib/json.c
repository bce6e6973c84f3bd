/* json.c — escaping for the trace writer.
 *
 * It makes no library calls at all: the trace is written from signal
 * handlers too.
 */
#include "json.h"

#include <string.h>

size_t json_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned long cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
        return 0;                       /* overlong */
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

size_t json_quote(char *out, size_t cap, const char *s, size_t n,
                  size_t limit, bool *cut)
{
    static const char hex[] = "0123456789abcdef";
    static const char mark[] = "[cut]";
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, i = 0;
    bool was_cut = false;

    if (cut)
        *cut = false;
    /* Room is kept for the closing quote, the cut mark and the NUL. */
    if (cap < sizeof mark + 3) {
        if (cap > 0)
            out[0] = '\0';
        return 0;
    }
    size_t room = cap - sizeof mark - 2;
    out[o++] = '"';
    while (i < n) {
        char esc[8];
        size_t elen = 0, ilen = 1;
        unsigned c = u[i];

        if (c == '"' || c == '\\') {
            esc[0] = '\\'; esc[1] = (char)c; elen = 2;
        } else if (c == '\n') {
            esc[0] = '\\'; esc[1] = 'n'; elen = 2;
        } else if (c == '\t') {
            esc[0] = '\\'; esc[1] = 't'; elen = 2;
        } else if (c == '\r') {
            esc[0] = '\\'; esc[1] = 'r'; elen = 2;
        } else if (c < 0x20 || c == 0x7F) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15]; elen = 6;
        } else if (c < 0x80) {
            esc[0] = (char)c; elen = 1;
        } else {
            ilen = json_utf8_len(u + i, n - i);
            if (ilen == 0) {
                memcpy(esc, "\\ufffd", 6); elen = 6; ilen = 1;
            } else {
                memcpy(esc, u + i, ilen); elen = ilen;
            }
        }
        if (i + ilen > limit || o + elen > room) {
            was_cut = true;
            break;
        }
        memcpy(out + o, esc, elen);
        o += elen;
        i += ilen;
    }
    if (was_cut) {
        memcpy(out + o, mark, sizeof mark - 1);
        o += sizeof mark - 1;
        if (cut)
            *cut = true;
    }
    out[o++] = '"';
    out[o] = '\0';
    return o;
}
