/* hexdump.c — bytes and sizes shown to people. */
#include "mmaplab.h"
#include "json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t ml_hexdump(char *out, size_t outsz, const void *p, size_t n,
                  long long base, const char *indent)
{
    const unsigned char *b = p;
    size_t o = 0;

    if (outsz == 0)
        return 0;
    out[0] = '\0';
    size_t ilen = strlen(indent);
    for (size_t row = 0; row < n; row += 16) {
        char line[128];     /* the row without the indent: 88 bytes at most */
        int l = snprintf(line, sizeof line, "%08llx ",
                         (unsigned long long)base + row);
        for (size_t i = row; i < row + 16; i++) {
            if (i < n)
                l += snprintf(line + l, sizeof line - (size_t)l, " %02x", b[i]);
            else
                l += snprintf(line + l, sizeof line - (size_t)l, "   ");
            if (i == row + 7)
                l += snprintf(line + l, sizeof line - (size_t)l, " ");
        }
        l += snprintf(line + l, sizeof line - (size_t)l, "  |");
        for (size_t i = row; i < row + 16 && i < n; i++)
            line[l++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
        line[l++] = '|';
        line[l++] = '\n';
        line[l] = '\0';
        if (o + ilen + (size_t)l + 1 > outsz)
            break;
        memcpy(out + o, indent, ilen);
        memcpy(out + o + ilen, line, (size_t)l + 1);
        o += ilen + (size_t)l;
    }
    return o;
}

void ml_human_size(unsigned long long bytes, char *out, size_t outsz)
{
    static const char *unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(out, outsz, "%llu byte%s", bytes, bytes == 1 ? "" : "s");
        return;
    }
    /* 1023.95 and up would print as "1024.0": that is the next unit. */
    while (v >= 1023.95 && u < 5) {
        v /= 1024;
        u++;
    }
    if (v == (double)(unsigned long long)v)
        snprintf(out, outsz, "%.0f %s", v, unit[u]);
    else
        snprintf(out, outsz, "%.1f %s", v, unit[u]);
}

size_t ml_escape(char *out, size_t outsz, const void *p, size_t n)
{
    return ml_escape_some(out, outsz, p, n, NULL);
}

size_t ml_escape_some(char *out, size_t outsz, const void *p, size_t n,
                      size_t *taken)
{
    const unsigned char *b = p;
    size_t o = 0, i = 0;

    if (taken)
        *taken = 0;
    if (outsz == 0)
        return 0;
    while (i < n) {
        char e[8];
        size_t len = 1;          /* input bytes this step consumes */
        const char *text = e;
        size_t tlen;

        switch (b[i]) {
        case '\n': text = "\\n"; break;
        case '\t': text = "\\t"; break;
        case '\r': text = "\\r"; break;
        case '\\': text = "\\\\"; break;
        case '"':  text = "\\\""; break;
        default:
            if (b[i] >= 0x20 && b[i] < 0x7f) {
                e[0] = (char)b[i];
                e[1] = '\0';
                break;
            }
            /* A whole UTF-8 character passes, except the C1 controls
             * (U+0080-U+009F), which a terminal would act on, and the
             * bidirectional overrides (U+202A-U+202E, U+2066-U+2069),
             * which would make the text read other than it is. */
            len = b[i] >= 0x80 ? json_utf8_len(b + i, n - i) : 0;
            bool c1 = len == 2 && b[i] == 0xC2 && b[i + 1] < 0xA0;
            bool bidi = len == 3 && b[i] == 0xE2 &&
                        ((b[i + 1] == 0x80 && b[i + 2] >= 0xAA && b[i + 2] <= 0xAE) ||
                         (b[i + 1] == 0x81 && b[i + 2] >= 0xA6 && b[i + 2] <= 0xA9));
            if (len > 1 && !c1 && !bidi) {
                text = (const char *)b + i;
            } else {
                len = 1;
                snprintf(e, sizeof e, "\\x%02x", b[i]);
            }
        }
        tlen = text == (const char *)b + i ? len : strlen(text);
        if (o + tlen + 1 > outsz)
            break;
        memcpy(out + o, text, tlen);
        o += tlen;
        i += len;
    }
    out[o] = '\0';
    if (taken)
        *taken = i;
    return o;
}

/* One conversion of fmt, from '%' to its letter, copied with its '*'
 * widths taken from ap.  Returns the letter, or 0 for one not handled. */
struct conv {
    char spec[32];
    int width, prec;
    bool star_w, star_p, left, has_prec;
    char len[3];
    char letter;
};

static const char *parse_conv(const char *f, struct conv *c, va_list *ap)
{
    size_t k = 0;

    memset(c, 0, sizeof *c);
    c->spec[k++] = *f++;                          /* '%' */
    while (*f && strchr("-+ #0", *f)) {
        if (*f == '-')
            c->left = true;
        if (k < 8)
            c->spec[k++] = *f;
        f++;
    }
    if (*f == '*') {
        c->width = va_arg(*ap, int);
        if (c->width < 0) {
            c->left = true;
            c->width = -c->width;
        }
        c->star_w = true;
        f++;
    } else {
        while (*f >= '0' && *f <= '9')
            c->width = c->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        c->has_prec = true;
        f++;
        if (*f == '*') {
            c->prec = va_arg(*ap, int);
            if (c->prec < 0)
                c->has_prec = false;
            f++;
        } else {
            while (*f >= '0' && *f <= '9')
                c->prec = c->prec * 10 + (*f++ - '0');
        }
    }
    size_t l = 0;
    while (*f && strchr("hlzjtL", *f) && l < 2)
        c->len[l++] = *f++;
    c->letter = *f ? *f++ : 0;
    /* the spec again, widths as numbers, for snprintf */
    k += (size_t)snprintf(c->spec + k, sizeof c->spec - k, "%s%d", c->left ? "-" : "",
                          c->width);
    if (c->has_prec)
        k += (size_t)snprintf(c->spec + k, sizeof c->spec - k, ".%d", c->prec);
    snprintf(c->spec + k, sizeof c->spec - k, "%s%c", c->len, c->letter);
    return f;
}

/* One number (or pointer, or character) as c asks, taken from ap. */
static int put_number(char *out, size_t room, const struct conv *c, va_list *ap)
{
    const char *L = c->len;

    switch (c->letter) {
    case 'd': case 'i':
        if (strcmp(L, "ll") == 0) return snprintf(out, room, c->spec, va_arg(*ap, long long));
        if (strcmp(L, "l") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, long));
        if (strcmp(L, "z") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, ssize_t));
        if (strcmp(L, "j") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, intmax_t));
        if (strcmp(L, "t") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, ptrdiff_t));
        return snprintf(out, room, c->spec, va_arg(*ap, int));
    case 'u': case 'o': case 'x': case 'X':
        if (strcmp(L, "ll") == 0) return snprintf(out, room, c->spec, va_arg(*ap, unsigned long long));
        if (strcmp(L, "l") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, unsigned long));
        if (strcmp(L, "z") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, size_t));
        if (strcmp(L, "j") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, uintmax_t));
        if (strcmp(L, "t") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, ptrdiff_t));
        return snprintf(out, room, c->spec, va_arg(*ap, unsigned));
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
        if (strcmp(L, "L") == 0)  return snprintf(out, room, c->spec, va_arg(*ap, long double));
        return snprintf(out, room, c->spec, va_arg(*ap, double));
    case 'p':
        return snprintf(out, room, c->spec, va_arg(*ap, void *));
    case 'c': {
        /* a character is outside text as much as a string is */
        char ch = (char)va_arg(*ap, int);
        return (int)ml_escape(out, room, &ch, 1);
    }
    default:
        return -1;
    }
}

size_t ml_vformat(char *out, size_t outsz, const char *fmt, va_list ap)
{
    static const char mark[] = "...";
    size_t o = 0, room;
    bool cut = false;
    va_list aq;

    if (outsz == 0)
        return 0;
    if (outsz <= sizeof mark) {
        out[0] = '\0';
        return 0;
    }
    room = outsz - (sizeof mark - 1);     /* the mark always fits after */
    va_copy(aq, ap);
    for (const char *f = fmt; *f && !cut;) {
        if (*f != '%' || f[1] == '%') {
            if (o + 1 >= room) {
                cut = true;
                break;
            }
            out[o++] = *f;
            f += *f == '%' ? 2 : 1;
            continue;
        }
        struct conv c;
        f = parse_conv(f, &c, &aq);
        char *at = out + o;
        size_t left = room - o;
        size_t w;
        if (c.letter == 's') {
            const char *s = va_arg(aq, const char *);
            size_t n = s ? (c.has_prec ? strnlen(s, (size_t)c.prec) : strlen(s)) : 6;
            size_t taken;
            w = ml_escape_some(at, left, s ? s : "(null)", n, &taken);
            cut = taken < n;
        } else {
            int r = put_number(at, left, &c, &aq);
            if (r < 0) {
                w = 0;                   /* an unknown conversion: nothing */
            } else if ((size_t)r >= left) {
                w = left - 1;
                cut = true;
            } else {
                w = (size_t)r;
            }
        }
        /* the width, in bytes, for %s and %c (snprintf did the numbers') */
        if ((c.letter == 's' || c.letter == 'c') && !cut && w < (size_t)c.width) {
            size_t pad = (size_t)c.width - w;
            if (w + pad + 1 > left) {
                cut = true;
            } else {
                if (!c.left)
                    memmove(at + pad, at, w);
                memset(c.left ? at + w : at, ' ', pad);
                w += pad;
            }
        }
        o += w;
    }
    va_end(aq);
    if (cut) {
        memcpy(out + o, mark, sizeof mark - 1);
        o += sizeof mark - 1;
    }
    out[o] = '\0';
    return o;
}

size_t ml_format(char *out, size_t outsz, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    size_t n = ml_vformat(out, outsz, fmt, ap);
    va_end(ap);
    return n;
}
