/* json.c — escaping for the trace writer, and a reader for one flat object.
 *
 * The writer makes no library calls at all: the trace is written from
 * signal handlers too.
 */
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
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

/* ---- reader ------------------------------------------------------------ */

struct rd {
    const char *p, *end;
    char *st, *stend;      /* where unescaped text goes */
};

static void skip_ws(struct rd *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
                             *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int put(struct rd *r, unsigned char c)
{
    if (r->st >= r->stend)
        return -1;
    *r->st++ = (char)c;
    return 0;
}

static int put_utf8(struct rd *r, unsigned long cp)
{
    if (cp < 0x80)
        return put(r, (unsigned char)cp);
    if (cp < 0x800)
        return put(r, (unsigned char)(0xC0 | cp >> 6)) ||
               put(r, (unsigned char)(0x80 | (cp & 0x3F)));
    if (cp < 0x10000)
        return put(r, (unsigned char)(0xE0 | cp >> 12)) ||
               put(r, (unsigned char)(0x80 | (cp >> 6 & 0x3F))) ||
               put(r, (unsigned char)(0x80 | (cp & 0x3F)));
    return put(r, (unsigned char)(0xF0 | cp >> 18)) ||
           put(r, (unsigned char)(0x80 | (cp >> 12 & 0x3F))) ||
           put(r, (unsigned char)(0x80 | (cp >> 6 & 0x3F))) ||
           put(r, (unsigned char)(0x80 | (cp & 0x3F)));
}

static int hex4(struct rd *r, unsigned long *v)
{
    *v = 0;
    for (int k = 0; k < 4; k++) {
        if (r->p >= r->end)
            return -1;
        char c = *r->p++;
        *v <<= 4;
        if (c >= '0' && c <= '9') *v |= (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f') *v |= (unsigned long)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') *v |= (unsigned long)(c - 'A' + 10);
        else return -1;
    }
    return 0;
}

/* A string at r->p (which is at the opening quote); its unescaped text is
 * stored NUL-terminated and returned through *out. */
static int read_string(struct rd *r, const char **out)
{
    *out = r->st;
    r->p++;
    while (r->p < r->end) {
        unsigned char c = (unsigned char)*r->p++;
        if (c == '"')
            return put(r, 0);
        if (c < 0x20)
            return -1;
        if (c != '\\') {
            if (put(r, c))
                return -1;
            continue;
        }
        if (r->p >= r->end)
            return -1;
        c = (unsigned char)*r->p++;
        switch (c) {
        case '"': case '\\': case '/': if (put(r, c)) return -1; break;
        case 'b': if (put(r, '\b')) return -1; break;
        case 'f': if (put(r, '\f')) return -1; break;
        case 'n': if (put(r, '\n')) return -1; break;
        case 'r': if (put(r, '\r')) return -1; break;
        case 't': if (put(r, '\t')) return -1; break;
        case 'u': {
            unsigned long cp, lo;
            if (hex4(r, &cp))
                return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u')
                    return -1;
                r->p += 2;
                if (hex4(r, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return -1;
            }
            if (put_utf8(r, cp))
                return -1;
            break;
        }
        default:
            return -1;
        }
    }
    return -1;
}

static int skip_value(struct rd *r, int depth);

static int skip_string(struct rd *r)
{
    r->p++;
    while (r->p < r->end) {
        char c = *r->p++;
        if (c == '"')
            return 0;
        if (c == '\\') {
            if (r->p >= r->end)
                return -1;
            r->p++;
        } else if ((unsigned char)c < 0x20) {
            return -1;
        }
    }
    return -1;
}

static int skip_number(struct rd *r)
{
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9')
        return -1;
    if (*r->p == '0')
        r->p++;
    else
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return -1;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return -1;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    return r->p > s ? 0 : -1;
}

static int skip_word(struct rd *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return -1;
    r->p += n;
    return 0;
}

static int skip_container(struct rd *r, int depth, char close)
{
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return 0;
    }
    for (;;) {
        skip_ws(r);
        if (close == '}') {
            if (r->p >= r->end || *r->p != '"' || skip_string(r))
                return -1;
            skip_ws(r);
            if (r->p >= r->end || *r->p++ != ':')
                return -1;
            skip_ws(r);
        }
        if (skip_value(r, depth + 1))
            return -1;
        skip_ws(r);
        if (r->p >= r->end)
            return -1;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p++ == close)
            return 0;
        return -1;
    }
}

static int skip_value(struct rd *r, int depth)
{
    if (depth > 64 || r->p >= r->end)
        return -1;
    switch (*r->p) {
    case '"': return skip_string(r);
    case '{': return skip_container(r, depth, '}');
    case '[': return skip_container(r, depth, ']');
    case 't': return skip_word(r, "true");
    case 'f': return skip_word(r, "false");
    case 'n': return skip_word(r, "null");
    default: return skip_number(r);
    }
}

/* Copy the raw text [s, r->p) into the store. */
static int keep_raw(struct rd *r, const char *s, const char **out)
{
    size_t n = (size_t)(r->p - s);
    if ((size_t)(r->stend - r->st) < n + 1)
        return -1;
    memcpy(r->st, s, n);
    r->st[n] = '\0';
    *out = r->st;
    r->st += n + 1;
    return 0;
}

static int read_field_value(struct rd *r, struct json_field *f)
{
    const char *s = r->p;

    f->is_int = false;
    f->num = 0;
    f->b = false;
    if (r->p >= r->end)
        return -1;
    switch (*r->p) {
    case '"':
        f->type = JSON_STRING;
        return read_string(r, &f->str);
    case 't': case 'f':
        f->type = JSON_BOOL;
        f->b = *r->p == 't';
        if (skip_word(r, f->b ? "true" : "false"))
            return -1;
        return keep_raw(r, s, &f->str);
    case 'n':
        f->type = JSON_NULL;
        if (skip_word(r, "null"))
            return -1;
        return keep_raw(r, s, &f->str);
    case '{': case '[':
        f->type = JSON_NESTED;
        if (skip_value(r, 0))
            return -1;
        return keep_raw(r, s, &f->str);
    default:
        f->type = JSON_NUMBER;
        if (skip_number(r) || keep_raw(r, s, &f->str))
            return -1;
        if (strpbrk(f->str, ".eE") == NULL) {
            char *e;
            errno = 0;
            f->num = strtoll(f->str, &e, 10);
            f->is_int = *e == '\0' && errno != ERANGE;
        } else {
            /* Converting a double past long long's range is undefined:
             * clamp it (1e300 must not come back negative). */
            double d = strtod(f->str, NULL);
            f->num = d >= 0x1p63 ? LLONG_MAX : d <= -0x1p63 ? LLONG_MIN
                                                              : (long long)d;
        }
        return 0;
    }
}

int json_parse(const char *text, size_t len, struct json_obj *o)
{
    struct rd r = { text, text + len, o->store, o->store + sizeof o->store };

    o->n = 0;
    skip_ws(&r);
    if (r.p >= r.end || *r.p++ != '{')
        return -1;
    skip_ws(&r);
    if (r.p < r.end && *r.p == '}') {
        r.p++;
    } else {
        for (;;) {
            struct json_field f;
            skip_ws(&r);
            if (r.p >= r.end || *r.p != '"' || read_string(&r, &f.key))
                return -1;
            skip_ws(&r);
            if (r.p >= r.end || *r.p++ != ':')
                return -1;
            skip_ws(&r);
            if (read_field_value(&r, &f))
                return -1;
            if (o->n < JSON_MAX_FIELDS)
                o->f[o->n++] = f;
            skip_ws(&r);
            if (r.p >= r.end)
                return -1;
            if (*r.p == ',') {
                r.p++;
                continue;
            }
            if (*r.p++ != '}')
                return -1;
            break;
        }
    }
    skip_ws(&r);
    return r.p == r.end ? 0 : -1;
}

const struct json_field *json_get(const struct json_obj *o, const char *key)
{
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->f[i].key, key) == 0)
            return &o->f[i];
    return NULL;
}

const char *json_str(const struct json_obj *o, const char *key)
{
    const struct json_field *f = json_get(o, key);
    return f && f->type == JSON_STRING ? f->str : NULL;
}
