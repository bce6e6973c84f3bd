/* hexdump.c — bytes and sizes shown to people. */
#include "mmaplab.h"
#include "json.h"

#include <stdbool.h>
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
    const unsigned char *b = p;
    size_t o = 0, i = 0;

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
    return o;
}
