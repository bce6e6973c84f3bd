/* parse.c — names and sizes, refused before any call with the rule stated. */
#include "parse.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#define NAME_HINT "for example -n /MyFileMappingObject-$(id -un)"

int ml_check_name(const char *name, char *why, size_t whysz)
{
    if (name[0] != '/') {
        snprintf(why, whysz,
                 "the name '%s' must begin with '/': POSIX shared memory "
                 "names look like /MyFileMappingObject (%s)", name, NAME_HINT);
        return -1;
    }
    size_t len = strlen(name + 1);
    if (len == 0) {
        snprintf(why, whysz,
                 "the name '/' has nothing after the '/': give 1 to 255 "
                 "characters after it (%s)", NAME_HINT);
        return -1;
    }
    if (strchr(name + 1, '/') != NULL) {
        snprintf(why, whysz,
                 "the name '%s' has a '/' after the first character: a name "
                 "has exactly one '/', at the start (it is a file name in "
                 "/dev/shm, not a path)", name);
        return -1;
    }
    if (len > 255) {
        snprintf(why, whysz,
                 "the name is %zu characters after the '/'; the limit is 255 "
                 "(NAME_MAX, the longest file name in /dev/shm)", len);
        return -1;
    }
    if (strcmp(name, "/.") == 0 || strcmp(name, "/..") == 0) {
        snprintf(why, whysz,
                 "'%s' cannot be a name: '.' and '..' mean directories in "
                 "/dev/shm (%s)", name, NAME_HINT);
        return -1;
    }
    return 0;
}

/* The multiplier for a size suffix, or 0 when the suffix is not one.
 * "", "B", "k", "kB", "KiB", ... in either case. */
static unsigned long long suffix_mult(const char *s)
{
    unsigned long long mult;
    char c = (char)tolower((unsigned char)s[0]);

    if (c == '\0')
        return 1;
    if (c == 'b')
        return s[1] == '\0' ? 1 : 0;
    if (c == 'k')
        mult = 1ULL << 10;
    else if (c == 'm')
        mult = 1ULL << 20;
    else if (c == 'g')
        mult = 1ULL << 30;
    else
        return 0;
    s++;
    if (tolower((unsigned char)s[0]) == 'i' && tolower((unsigned char)s[1]) == 'b')
        s += 2;
    else if (tolower((unsigned char)s[0]) == 'b')
        s += 1;
    return *s == '\0' ? mult : 0;
}

int ml_parse_size(const char *text, off_t *out, char *why, size_t whysz)
{
    /* off_t is 64 bits here (-D_FILE_OFFSET_BITS where it is not). */
    const unsigned long long off_max =
        sizeof(off_t) == 8 ? (unsigned long long)INT64_MAX : (unsigned long long)INT32_MAX;
    unsigned long long v = 0;
    const char *p = text;
    bool too_big = false;

    if (*p == '\0') {
        snprintf(why, whysz, "the size is empty: give a number of bytes, "
                 "such as 256, 4k or 1M");
        return -1;
    }
    if (*p == '-') {
        snprintf(why, whysz, "the size '%s' is negative: an object's size is "
                 "a positive number of bytes, such as 256 or 4k", text);
        return -1;
    }
    if (!isdigit((unsigned char)*p)) {
        snprintf(why, whysz, "the size '%s' is not a decimal number: write "
                 "digits with an optional k, M or G (256, 4k, 1M)", text);
        return -1;
    }
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (ULLONG_MAX - 9) / 10)
            too_big = true;
        else
            v = v * 10 + (unsigned long long)(*p - '0');
    }
    unsigned long long mult = suffix_mult(p);
    if (mult == 0) {
        snprintf(why, whysz, "the size '%s' has an unknown ending '%s': use "
                 "a whole number of bytes, optionally followed by k, M or G "
                 "(powers of 1024; kB, KiB, MiB ... also accepted)", text, p);
        return -1;
    }
    /* In whole pages: an object's last page must end at a file offset too,
     * or counting its pages (size + page - 1) overflows off_t. */
#ifdef _WIN32
    unsigned long long page = 4096;          /* a page of Windows on x86 and x64 */
#else
    long ps = sysconf(_SC_PAGESIZE);
    unsigned long long page = ps > 0 ? (unsigned long long)ps : 4096;
#endif
    unsigned long long most = off_max / page * page;
    if (!too_big && v > most / mult)
        too_big = true;
    if (too_big) {
        snprintf(why, whysz, "the size '%s' is past the largest file offset "
                 "this system has, in whole pages: at most %llu bytes (off_t's "
                 "largest, %llu, rounded down to a page of %llu)", text, most,
                 off_max, page);
        return -1;
    }
    if (v == 0) {
        snprintf(why, whysz, "the size '%s' is zero: an object to map needs at "
                 "least one byte (mmap refuses a length of 0)", text);
        return -1;
    }
    *out = (off_t)(v * mult);
    return 0;
}

int ml_parse_count(const char *text, long long max, long long *out,
                   char *why, size_t whysz)
{
    unsigned long long v = 0;
    const char *p = text;

    if (*p == '\0' || !isdigit((unsigned char)*p)) {
        snprintf(why, whysz, "'%s' is not a whole number (0 to %lld)", text, max);
        return -1;
    }
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        /* Checked before multiplying: v * 10 could wrap around 2^64. */
        if ((unsigned long long)max < d ||
            v > ((unsigned long long)max - d) / 10) {
            snprintf(why, whysz, "'%s' is too large: at most %lld", text, max);
            return -1;
        }
        v = v * 10 + d;
    }
    if (*p != '\0') {
        snprintf(why, whysz, "'%s' is not a whole number (0 to %lld)", text, max);
        return -1;
    }
    *out = (long long)v;
    return 0;
}
