/* npy.h — the header of NumPy's .npy array files, read and written.
 *
 * A plain mapped array is only bytes: nothing in the file says the element
 * type, its byte order, the shape or the order of the dimensions.  An .npy
 * file starts with a small, self-describing header:
 *
 *     "\x93NUMPY" major minor  HEADER_LEN  {'descr': '<f8', 'fortran_order':
 *     False, 'shape': (3, 4), }   (spaces)  '\n'   ... the data ...
 *
 * HEADER_LEN is a little-endian uint16 in version 1.0 and a uint32 in 2.0
 * and 3.0 (3.0 allows UTF-8 in the header); writers pad the header with
 * spaces so that the data starts at a multiple of 64.  The parser here takes
 * untrusted bytes: it never reads outside the buffer it is given, and it
 * refuses what it does not understand with a sentence saying why.
 */
#ifndef MMAPLAB_NPY_H
#define MMAPLAB_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NPY_MAGIC     "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN     64          /* where writers start the data */
#define NPY_MAX_DIMS  64          /* numpy 2's limit (numpy 1: 32) */

enum npy_status {
    NPY_OK = 0,
    NPY_MALFORMED = -1,     /* not a valid .npy header */
    NPY_UNSUPPORTED = -2,   /* valid, but an element type not handled here */
};

struct npy_header {
    unsigned major, minor;        /* format version: 1.0, 2.0 or 3.0 */
    char descr[40];               /* the type as written: "<f8" */
    char byteorder;               /* '<' little, '>' big, '|' one byte */
    char kind;                    /* 'b' bool, 'i' signed, 'u' unsigned, 'f' float */
    unsigned itemsize;            /* bytes per element: 1, 2, 4 or 8 */
    bool fortran_order;           /* column-major (the first index varies fastest) */
    unsigned ndim;                /* 0 for a scalar */
    uint64_t shape[NPY_MAX_DIMS];
    uint64_t count;               /* elements: the product of shape */
    uint64_t data_bytes;          /* count * itemsize */
    uint64_t data_offset;         /* the data starts here: preamble + header */
};

/* Parse the header at the start of buf (len bytes available: the whole
 * header must be there, the data need not be).  Returns NPY_OK with *h
 * filled, or NPY_MALFORMED / NPY_UNSUPPORTED with the reason in why. */
int npy_parse(const void *buf, size_t len, struct npy_header *h,
              char *why, size_t whysz);

/* Set the element type from a descr string ("<f8", ">i4", "|b1", "=u2").
 * '=' (native) is recorded as the host's order.  Returns NPY_OK, or
 * NPY_MALFORMED / NPY_UNSUPPORTED with the reason in why. */
int npy_set_type(struct npy_header *h, const char *descr,
                 char *why, size_t whysz);

/* Does a file of file_size bytes hold all the data h describes?  Returns
 * true, or false with the reason in why. */
bool npy_data_fits(const struct npy_header *h, uint64_t file_size,
                   char *why, size_t whysz);

/* Write the preamble and header for h into buf: its type (set with
 * npy_set_type), fortran_order, ndim and shape are used, the rest is
 * computed and stored in *h.  The version is h->major when it is 1, 2 or 3
 * and the header fits it, else 1.0, or 2.0 when the header is too long for
 * 1.0.  The data offset is a multiple of NPY_ALIGN.  Returns the data
 * offset, or 0 when buf is too small or h is not valid. */
size_t npy_write_header(void *buf, size_t bufsz, struct npy_header *h);

/* Element i (flat, in file order) of data as text: integers exactly, bools
 * as True/False, floats with the fewest digits that read back the same. */
void npy_format(const struct npy_header *h, const void *data, uint64_t i,
                char *out, size_t outsz);

/* Store v in element i, converted to the element type and byte order
 * (integers are truncated toward zero and wrap to the type's width). */
void npy_store(const struct npy_header *h, void *data, uint64_t i, double v);

/* The shape as Python writes it: "()", "(3,)", "(2, 3)". */
void npy_shape_text(const struct npy_header *h, char *out, size_t outsz);

/* "8-byte float, little-endian": the element type for people. */
void npy_describe(const struct npy_header *h, char *out, size_t outsz);

#endif
