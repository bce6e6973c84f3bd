/* hexdump.c — bytes and sizes shown to people. */
#include "mmaplab.h"

#include <stdio.h>

size_t ml_hexdump(char *out, size_t outsz, const void *p, size_t n,
                  long long base, const char *indent)
{
    const unsigned char *b = p;
    size_t o = 0;

    if (outsz == 0)
        return 0;
    out[0] = '\0';
    for (size_t row = 0; row < n; row += 16) {
        char line[128];
        int l = snprintf(line, sizeof line, "%s%08llx ", indent,
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
        if (o + (size_t)l + 1 > outsz)
            break;
        for (int i = 0; i <= l; i++)
            out[o + (size_t)i] = line[i];
        o += (size_t)l;
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
    while (v >= 1024 && u < 5) {
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
    size_t o = 0;

    if (outsz == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char e[8];
        int l;
        switch (b[i]) {
        case '\n': l = snprintf(e, sizeof e, "\\n"); break;
        case '\t': l = snprintf(e, sizeof e, "\\t"); break;
        case '\r': l = snprintf(e, sizeof e, "\\r"); break;
        case '\\': l = snprintf(e, sizeof e, "\\\\"); break;
        case '"':  l = snprintf(e, sizeof e, "\\\""); break;
        default:
            if (b[i] >= 0x20 && b[i] < 0x7f)
                l = snprintf(e, sizeof e, "%c", b[i]);
            else
                l = snprintf(e, sizeof e, "\\x%02x", b[i]);
        }
        if (o + (size_t)l + 1 > outsz)
            break;
        for (int k = 0; k < l; k++)
            out[o++] = e[k];
    }
    out[o] = '\0';
    return o;
}
