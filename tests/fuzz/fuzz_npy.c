/* fuzz_npy.c — libFuzzer target for the NPY header parser (lib/npy.c).
 *
 * Any bytes may come in.  Beyond "no crash, no read outside the input"
 * (AddressSanitizer's part), it checks what a caller relies on: a refusal
 * says why in printable text; an accepted header lies inside the input and
 * its numbers agree; elements that the input holds can be formatted; and
 * the writer's version of the header parses back to the same thing.
 *
 *   make fuzz [FUZZ_TIME=SECONDS]      (tests/fuzz/fuzz.mk)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

#define require(cond)                                                       \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz_npy: %s:%d: %s\n", __FILE__, __LINE__,    \
                    #cond);                                                 \
            abort();                                                        \
        }                                                                   \
    } while (0)

static void printable(const char *s)
{
    require(s[0] != '\0');
    for (; *s; s++)
        require(*s >= 0x20 && *s < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct npy_header h, r;
    char why[512] = "", v[64];
    int s = npy_parse(data, size, &h, why, sizeof why);

    if (s != NPY_OK) {
        require(s == NPY_MALFORMED || s == NPY_UNSUPPORTED);
        printable(why);
        return 0;
    }
    require(h.data_offset <= size);
    require(h.major >= 1 && h.major <= 3 && h.minor == 0);
    require(h.ndim <= NPY_MAX_DIMS);
    require(h.itemsize == 1 || h.itemsize == 2 || h.itemsize == 4 || h.itemsize == 8);
    require(h.itemsize == 1 ? h.byteorder == '|' : h.byteorder == '<' || h.byteorder == '>');
    uint64_t count = 1;
    for (unsigned i = 0; i < h.ndim; i++)
        count *= h.shape[i];              /* no wrap: the parser checked */
    require(count == h.count);
    require(h.data_bytes == h.count * h.itemsize);
    require(h.data_bytes <= (uint64_t)INT64_MAX);

    if (npy_data_fits(&h, size, why, sizeof why)) {
        if (h.count > 0) {
            npy_format(&h, data + h.data_offset, 0, v, sizeof v);
            npy_format(&h, data + h.data_offset, h.count - 1, v, sizeof v);
            printable(v);
        }
    } else {
        printable(why);
    }

    unsigned char buf[4096];
    struct npy_header w = h;
    size_t off = npy_write_header(buf, sizeof buf, &w);
    require(off != 0 && off % NPY_ALIGN == 0);
    require(npy_parse(buf, off, &r, why, sizeof why) == NPY_OK);
    require(r.major == h.major && r.byteorder == h.byteorder && r.kind == h.kind &&
            r.itemsize == h.itemsize && r.fortran_order == h.fortran_order &&
            r.ndim == h.ndim && r.count == h.count && r.data_offset == off);
    require(memcmp(r.shape, h.shape, h.ndim * sizeof h.shape[0]) == 0);
    return 0;
}
