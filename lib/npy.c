/* npy.c — the .npy header: a careful parser for untrusted bytes, a writer
 * that numpy reads, and element access in either byte order.
 *
 * Kept free of the rest of the library so that the fuzz target can build it
 * alone.  Every read of the input is bounded by the length given; every
 * number from it is checked before it is multiplied or added.
 */
#include "npy.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char host_order(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1 ? '<' : '>';
}

static int fail(int status, char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int status, char *why, size_t whysz, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && whysz > 0) {
        va_start(ap, fmt);
        vsnprintf(why, whysz, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* Up to n bytes of untrusted text, quoted safely for a message. */
static const char *shown(const char *s, size_t n, char *out, size_t outsz)
{
    size_t o = 0;

    for (size_t i = 0; i < n && o + 5 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 24) {
            o += (size_t)snprintf(out + o, outsz - o, "...");
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
    }
    out[o < outsz ? o : outsz - 1] = '\0';
    return out;
}

/* ---- the element type --------------------------------------------------- */

static bool supported(char kind, unsigned size)
{
    switch (kind) {
    case 'b': return size == 1;
    case 'i':
    case 'u': return size == 1 || size == 2 || size == 4 || size == 8;
    case 'f': return size == 4 || size == 8;
    default:  return false;
    }
}

#define SUPPORTED_LIST "bool (b1), integers (i1 i2 i4 i8, u1 u2 u4 u8) " \
                       "and floats (f4 f8)"

int npy_set_type(struct npy_header *h, const char *descr, char *why, size_t whysz)
{
    char q[128];
    size_t n = strlen(descr);
    const char *p = descr;
    char order = '=';

    shown(descr, n, q, sizeof q);
    if (*p == '<' || *p == '>' || *p == '|' || *p == '=')
        order = *p++;
    char kind = *p;
    if (kind == '\0' || strchr("biufcmMOSUVa", kind) == NULL)
        return fail(NPY_MALFORMED, why, whysz, "'%s' is not a numpy element "
                    "type (such as '<f8': byte order, kind, size)", q);
    p++;
    unsigned size = 0;
    size_t digits = strspn(p, "0123456789");
    if ((digits == 0 || digits > 6) && strchr("OSUVa", kind) == NULL)
        return fail(NPY_MALFORMED, why, whysz, "element type '%s' has no valid "
                    "size after its kind", q);
    for (size_t i = 0; i < digits && digits <= 6; i++)
        size = size * 10 + (unsigned)(p[i] - '0');
    if (p[digits] != '\0' || !supported(kind, size))
        return fail(NPY_UNSUPPORTED, why, whysz, "element type '%s' is not "
                    "supported: this reader handles " SUPPORTED_LIST, q);
    if (n >= sizeof h->descr)
        return fail(NPY_MALFORMED, why, whysz, "element type '%s' is too long", q);
    memcpy(h->descr, descr, n + 1);
    h->kind = kind;
    h->itemsize = size;
    /* One byte has no order; '=' and '|' on a wider type mean this host's. */
    if (size == 1)
        h->byteorder = '|';
    else
        h->byteorder = order == '<' || order == '>' ? order : host_order();
    return NPY_OK;
}

void npy_describe(const struct npy_header *h, char *out, size_t outsz)
{
    const char *k = h->kind == 'b' ? "bool" : h->kind == 'i' ? "signed integer"
                  : h->kind == 'u' ? "unsigned integer" : "float";
    snprintf(out, outsz, "%u-byte %s%s", h->itemsize, k,
             h->byteorder == '<' ? ", little-endian"
             : h->byteorder == '>' ? ", big-endian" : "");
}

/* ---- the header's dictionary --------------------------------------------- */

struct cur {
    const char *p, *end;
    size_t base;           /* file offset of the dictionary's first byte */
    const char *start;
    char *why;
    size_t whysz;
};

static size_t at(const struct cur *c)
{
    return c->base + (size_t)(c->p - c->start);
}

static void ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' ||
                             *c->p == '\r'))
        c->p++;
}

static bool peek(const struct cur *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

static int expect(struct cur *c, char ch, const char *where)
{
    char q[32];

    ws(c);
    if (!peek(c, ch))
        return fail(NPY_MALFORMED, c->why, c->whysz, "header: expected '%c' %s "
                    "at byte %zu, found %s", ch, where, at(c),
                    c->p < c->end ? shown(c->p, 1, q, sizeof q) : "the end");
    c->p++;
    return NPY_OK;
}

/* A quoted string without escapes; *s and *n point into the input. */
static int string(struct cur *c, const char **s, size_t *n)
{
    ws(c);
    if (!peek(c, '\'') && !peek(c, '"'))
        return fail(NPY_MALFORMED, c->why, c->whysz, "header: expected a quoted "
                    "string at byte %zu", at(c));
    char quote = *c->p++;
    *s = c->p;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\' || (unsigned char)*c->p < 0x20)
            return fail(NPY_MALFORMED, c->why, c->whysz, "header: escapes and "
                        "control characters in strings are not accepted (byte %zu)",
                        at(c));
        c->p++;
    }
    if (c->p == c->end)
        return fail(NPY_MALFORMED, c->why, c->whysz, "header: a string is not "
                    "closed before the header ends");
    *n = (size_t)(c->p - *s);
    c->p++;
    return NPY_OK;
}

static bool word(struct cur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return false;
    if (c->p + n < c->end && (c->p[n] == '_' || (c->p[n] >= '0' && c->p[n] <= '9') ||
                             ((c->p[n] | 0x20) >= 'a' && (c->p[n] | 0x20) <= 'z')))
        return false;
    c->p += n;
    return true;
}

static int shape(struct cur *c, struct npy_header *h)
{
    int r;
    bool comma = false;

    if ((r = expect(c, '(', "to begin the shape tuple")) != NPY_OK)
        return r;
    for (ws(c); !peek(c, ')'); ws(c)) {
        if (c->p == c->end || *c->p < '0' || *c->p > '9')
            return fail(NPY_MALFORMED, c->why, c->whysz, "header: the shape "
                        "must hold whole numbers (byte %zu)", at(c));
        uint64_t v = 0;
        for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
            if (v > (UINT64_MAX - 9) / 10)
                return fail(NPY_MALFORMED, c->why, c->whysz, "header: a "
                            "dimension is too large (byte %zu)", at(c));
            v = v * 10 + (uint64_t)(*c->p - '0');
        }
        if (peek(c, 'L') || peek(c, 'l'))      /* Python 2 long */
            c->p++;
        if (h->ndim == NPY_MAX_DIMS)
            return fail(NPY_MALFORMED, c->why, c->whysz, "header: more than %d "
                        "dimensions", NPY_MAX_DIMS);
        h->shape[h->ndim++] = v;
        ws(c);
        comma = peek(c, ',');
        if (comma)
            c->p++;
        else if (!peek(c, ')'))
            return fail(NPY_MALFORMED, c->why, c->whysz, "header: expected ',' "
                        "or ')' in the shape at byte %zu", at(c));
    }
    c->p++;
    if (h->ndim == 1 && !comma)
        return fail(NPY_MALFORMED, c->why, c->whysz, "header: the shape (%llu) "
                    "is a number in parentheses, not a tuple: a one-dimensional "
                    "shape is written (%llu,)", (unsigned long long)h->shape[0],
                    (unsigned long long)h->shape[0]);
    return NPY_OK;
}

int npy_parse(const void *buf, size_t len, struct npy_header *h,
              char *why, size_t whysz)
{
    const unsigned char *b = buf;
    char q[128];
    int r;

    memset(h, 0, sizeof *h);
    if (len < NPY_MAGIC_LEN || memcmp(b, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return fail(NPY_MALFORMED, why, whysz, "not an NPY file: it does not "
                    "begin with the magic bytes \\x93NUMPY");
    if (len < 8)
        return fail(NPY_MALFORMED, why, whysz, "the file ends inside the "
                    "NPY preamble (%zu bytes)", len);
    h->major = b[6];
    h->minor = b[7];
    if (h->major < 1 || h->major > 3 || h->minor != 0)
        return fail(NPY_UNSUPPORTED, why, whysz, "NPY format version %u.%u is "
                    "not one this reader knows (1.0, 2.0 and 3.0)",
                    h->major, h->minor);
    size_t pre = h->major == 1 ? 10 : 12;
    if (len < pre)
        return fail(NPY_MALFORMED, why, whysz, "the file ends inside the "
                    "NPY preamble (%zu bytes)", len);
    uint64_t hlen = h->major == 1 ? (uint64_t)b[8] | (uint64_t)b[9] << 8
        : (uint64_t)b[8] | (uint64_t)b[9] << 8 | (uint64_t)b[10] << 16 |
          (uint64_t)b[11] << 24;
    if (hlen > len - pre)
        return fail(NPY_MALFORMED, why, whysz, "the header is %llu bytes long, "
                    "but only %zu bytes follow the preamble",
                    (unsigned long long)hlen, len - pre);
    h->data_offset = pre + hlen;

    struct cur c = { (const char *)b + pre, (const char *)b + pre + hlen, pre,
                     (const char *)b + pre, why, whysz };
    bool have_descr = false, have_order = false, have_shape = false;
    int type_status = NPY_OK;
    char type_why[300] = "";

    if ((r = expect(&c, '{', "to begin the header")) != NPY_OK)
        return r;
    for (ws(&c); !peek(&c, '}'); ws(&c)) {
        const char *k;
        size_t kn;
        if ((r = string(&c, &k, &kn)) != NPY_OK)
            return r;
        if ((r = expect(&c, ':', "after a key")) != NPY_OK)
            return r;
        ws(&c);
        bool *seen = kn == 5 && !memcmp(k, "descr", 5) ? &have_descr
                   : kn == 13 && !memcmp(k, "fortran_order", 13) ? &have_order
                   : kn == 5 && !memcmp(k, "shape", 5) ? &have_shape : NULL;
        if (seen == NULL)
            return fail(NPY_MALFORMED, why, whysz, "header: unknown key '%s': "
                        "an NPY header has exactly 'descr', 'fortran_order' "
                        "and 'shape'", shown(k, kn, q, sizeof q));
        if (*seen)
            return fail(NPY_MALFORMED, why, whysz, "header: the key '%s' "
                        "appears twice", shown(k, kn, q, sizeof q));
        *seen = true;
        if (seen == &have_descr) {
            const char *s;
            size_t sn;
            char d[64];
            if (peek(&c, '['))
                return fail(NPY_UNSUPPORTED, why, whysz, "structured element "
                            "types (a list of fields) are not supported: this "
                            "reader handles " SUPPORTED_LIST);
            if ((r = string(&c, &s, &sn)) != NPY_OK)
                return r;
            /* Checked once the whole header has parsed: a malformed header
             * is reported as such even when its type is also unknown. */
            if (sn >= sizeof d || memchr(s, '\0', sn) != NULL) {
                type_status = fail(NPY_MALFORMED, type_why, sizeof type_why,
                                   "element type '%s' is not one numpy writes",
                                   shown(s, sn, q, sizeof q));
            } else {
                memcpy(d, s, sn);
                d[sn] = '\0';
                type_status = npy_set_type(h, d, type_why, sizeof type_why);
            }
        } else if (seen == &have_order) {
            if (word(&c, "True"))
                h->fortran_order = true;
            else if (!word(&c, "False"))
                return fail(NPY_MALFORMED, why, whysz, "header: 'fortran_order' "
                            "must be True or False (byte %zu)", at(&c));
        } else if ((r = shape(&c, h)) != NPY_OK) {
            return r;
        }
        ws(&c);
        if (peek(&c, ','))
            c.p++;
        else if (!peek(&c, '}'))
            return fail(NPY_MALFORMED, why, whysz, "header: expected ',' or '}' "
                        "at byte %zu", at(&c));
    }
    c.p++;
    ws(&c);
    if (c.p != c.end)
        return fail(NPY_MALFORMED, why, whysz, "header: unexpected text after "
                    "the closing '}' at byte %zu", at(&c));
    if (!have_descr || !have_order || !have_shape)
        return fail(NPY_MALFORMED, why, whysz, "header: the key '%s' is missing",
                    !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    if (type_status != NPY_OK)
        return fail(type_status, why, whysz, "%s", type_why);

    bool zero = false, over = false;
    h->count = 1;
    for (unsigned i = 0; i < h->ndim; i++) {
        if (h->shape[i] == 0)
            zero = true;
        else if (h->count > UINT64_MAX / h->shape[i])
            over = true;
        else
            h->count *= h->shape[i];
    }
    if (zero)
        h->count = 0;
    else if (over || h->count > (uint64_t)INT64_MAX / h->itemsize)
        return fail(NPY_MALFORMED, why, whysz, "header: the shape describes "
                    "more data than any file can hold");
    h->data_bytes = h->count * h->itemsize;
    return NPY_OK;
}

bool npy_data_fits(const struct npy_header *h, uint64_t file_size,
                   char *why, size_t whysz)
{
    if (file_size < h->data_offset || h->data_bytes > file_size - h->data_offset) {
        fail(NPY_MALFORMED, why, whysz, "the file is cut short: its header "
             "describes %llu bytes of data from offset %llu, but the file has "
             "%llu bytes", (unsigned long long)h->data_bytes,
             (unsigned long long)h->data_offset, (unsigned long long)file_size);
        return false;
    }
    return true;
}

/* ---- writing -------------------------------------------------------------- */

void npy_shape_text(const struct npy_header *h, char *out, size_t outsz)
{
    size_t n = 0;

    if (outsz == 0)
        return;
    out[0] = '\0';
    n += (size_t)snprintf(out, outsz, "(");
    for (unsigned i = 0; i < h->ndim && i < NPY_MAX_DIMS && n < outsz; i++)
        n += (size_t)snprintf(out + n, outsz - n, "%s%llu", i ? ", " : "",
                              (unsigned long long)h->shape[i]);
    if (n < outsz)
        snprintf(out + n, outsz - n, "%s)", h->ndim == 1 ? "," : "");
}

size_t npy_write_header(void *buf, size_t bufsz, struct npy_header *h)
{
    char dict[64 + 24 * NPY_MAX_DIMS], descr[8];
    size_t n;
    uint64_t count = 1;
    bool zero = false;

    if (!supported(h->kind, h->itemsize) || h->ndim > NPY_MAX_DIMS ||
        (h->itemsize > 1 && h->byteorder != '<' && h->byteorder != '>'))
        return 0;
    /* As the parser counts: a zero anywhere makes an empty array, however
     * large the other dimensions. */
    for (unsigned i = 0; i < h->ndim; i++)
        zero |= h->shape[i] == 0;
    for (unsigned i = 0; i < h->ndim && !zero; i++) {
        if (count > UINT64_MAX / h->shape[i])
            return 0;
        count *= h->shape[i];
    }
    if (zero)
        count = 0;
    if (count > (uint64_t)INT64_MAX / h->itemsize)
        return 0;
    snprintf(descr, sizeof descr, "%c%c%u", h->itemsize == 1 ? '|' : h->byteorder,
             h->kind, h->itemsize);
    n = (size_t)snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': "
                         "%s, 'shape': ", descr, h->fortran_order ? "True" : "False");
    npy_shape_text(h, dict + n, sizeof dict - n);
    n += strlen(dict + n);
    n += (size_t)snprintf(dict + n, sizeof dict - n, ", }");

    unsigned major = h->major >= 1 && h->major <= 3 ? h->major : 1;
    size_t pre = major == 1 ? 10 : 12;
    size_t total = (pre + n + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    if (major == 1 && total - pre > 0xffff) {
        major = 2;
        pre = 12;
        total = (pre + n + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    }
    if (total > bufsz)
        return 0;

    unsigned char *b = buf;
    size_t hlen = total - pre;
    memcpy(b, NPY_MAGIC, NPY_MAGIC_LEN);
    b[6] = (unsigned char)major;
    b[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        b[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(b + pre, dict, n);
    memset(b + pre + n, ' ', hlen - n - 1);
    b[total - 1] = '\n';

    memcpy(h->descr, descr, strlen(descr) + 1);
    h->major = major;
    h->minor = 0;
    h->count = count;
    h->data_bytes = count * h->itemsize;
    h->data_offset = total;
    return total;
}

/* ---- elements ------------------------------------------------------------- */

static uint64_t load(const struct npy_header *h, const void *data, uint64_t i)
{
    const unsigned char *e = (const unsigned char *)data + i * h->itemsize;
    uint64_t v = 0;

    for (unsigned k = 0; k < h->itemsize; k++) {
        unsigned shift = h->byteorder == '>' ? 8 * (h->itemsize - 1 - k) : 8 * k;
        v |= (uint64_t)e[k] << shift;
    }
    return v;
}

static void save(const struct npy_header *h, void *data, uint64_t i, uint64_t v)
{
    unsigned char *e = (unsigned char *)data + i * h->itemsize;

    for (unsigned k = 0; k < h->itemsize; k++) {
        unsigned shift = h->byteorder == '>' ? 8 * (h->itemsize - 1 - k) : 8 * k;
        e[k] = (unsigned char)(v >> shift);
    }
}

static void shortest(double v, bool single, char *out, size_t outsz)
{
    if (v != v) {
        snprintf(out, outsz, "nan");
        return;
    }
    if (v > DBL_MAX || v < -DBL_MAX) {
        snprintf(out, outsz, v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, outsz, "%.*g", prec, v);
        if (single ? strtof(out, NULL) == (float)v : strtod(out, NULL) == v)
            return;
    }
}

void npy_format(const struct npy_header *h, const void *data, uint64_t i,
                char *out, size_t outsz)
{
    uint64_t v = load(h, data, i);
    unsigned bits = 8 * h->itemsize;

    switch (h->kind) {
    case 'b':
        snprintf(out, outsz, "%s", v ? "True" : "False");
        break;
    case 'i':
        if (bits < 64 && (v >> (bits - 1) & 1))
            v |= UINT64_MAX << bits;            /* sign-extend */
        snprintf(out, outsz, "%lld", (long long)v);
        break;
    case 'u':
        snprintf(out, outsz, "%llu", (unsigned long long)v);
        break;
    default:
        if (h->itemsize == 4) {
            uint32_t w = (uint32_t)v;
            float f;
            memcpy(&f, &w, sizeof f);
            shortest(f, true, out, outsz);
        } else {
            double d;
            memcpy(&d, &v, sizeof d);
            shortest(d, false, out, outsz);
        }
        break;
    }
}

void npy_store(const struct npy_header *h, void *data, uint64_t i, double v)
{
    uint64_t bits;

    if (h->kind == 'b') {
        bits = v != 0;
    } else if (h->kind == 'i' || h->kind == 'u') {
        /* Casting an out-of-range double is undefined: range first. */
        if (v >= -9223372036854775808.0 && v < 9223372036854775808.0)
            bits = (uint64_t)(int64_t)v;
        else if (v >= 0 && v < 18446744073709551616.0)
            bits = (uint64_t)v;
        else
            bits = 0;
    } else if (h->itemsize == 4) {
        float f = v > FLT_MAX ? INFINITY : v < -FLT_MAX ? -INFINITY : (float)v;
        uint32_t w;
        memcpy(&w, &f, sizeof w);
        bits = w;
    } else {
        memcpy(&bits, &v, sizeof bits);
    }
    save(h, data, i, bits);
}
