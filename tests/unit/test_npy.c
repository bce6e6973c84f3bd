/* test_npy.c — the .npy header: files as numpy writes them (each version,
 * both byte orders), the writer read back, every way a header can be broken
 * or cut short, the types refused, and elements in either byte order.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"

/* A file of the given version whose header is dict, padded like numpy to
 * a multiple of 64 and ended by '\n'; *len gets its length.  Freed by the
 * caller. */
static unsigned char *npy_file(unsigned major, const char *dict, size_t *len)
{
    size_t pre = major == 1 ? 10 : 12, n = strlen(dict);
    size_t total = (pre + n + 1 + 63) / 64 * 64;
    unsigned char *b = malloc(total);
    size_t hlen = total - pre;

    assert_non_null(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        b[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(b + pre, dict, n);
    memset(b + pre + n, ' ', hlen - n - 1);
    b[total - 1] = '\n';
    *len = total;
    return b;
}

/* Parse dict in a version-1 file; returns the status, why in why. */
static int parse_dict(const char *dict, struct npy_header *h, char *why,
                      size_t whysz)
{
    size_t len;
    unsigned char *b = npy_file(1, dict, &len);
    int r = npy_parse(b, len, h, why, whysz);
    free(b);
    return r;
}

static void refused(const char *dict, int status, const char *phrase)
{
    struct npy_header h;
    char why[400] = "";
    int r = parse_dict(dict, &h, why, sizeof why);

    if (r != status)
        fail_msg("%s: status %d, wanted %d (%s)", dict, r, status, why);
    assert_contains(why, phrase);
}

static void accepted(const char *dict, struct npy_header *h)
{
    char why[400] = "";

    if (parse_dict(dict, h, why, sizeof why) != NPY_OK)
        fail_msg("%s refused: %s", dict, why);
}

/* ---- files as numpy writes them ------------------------------------------- */

static void test_numpy_v1_exact(void **state)
{
    /* np.lib.format.write_array(f, np.arange(3.0)), byte for byte. */
    static const char file[] =
        "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, "
        "'shape': (3,), }                                                  "
        "          \n"
        "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\xf0\x3f" "\0\0\0\0\0\0\0\x40";
    struct npy_header h;
    char why[300], v[32];

    (void)state;
    assert_int_equal(sizeof file - 1, 128 + 24);
    assert_int_equal(npy_parse(file, sizeof file - 1, &h, why, sizeof why), NPY_OK);
    assert_int_equal(h.major, 1);
    assert_int_equal(h.minor, 0);
    assert_string_equal(h.descr, "<f8");
    assert_int_equal(h.byteorder, '<');
    assert_int_equal(h.kind, 'f');
    assert_int_equal(h.itemsize, 8);
    assert_false(h.fortran_order);
    assert_int_equal(h.ndim, 1);
    assert_int_equal(h.shape[0], 3);
    assert_int_equal(h.count, 3);
    assert_int_equal(h.data_bytes, 24);
    assert_int_equal(h.data_offset, 128);
    assert_true(npy_data_fits(&h, sizeof file - 1, why, sizeof why));
    const char *data = file + h.data_offset;
    npy_format(&h, data, 0, v, sizeof v);
    assert_string_equal(v, "0");
    npy_format(&h, data, 1, v, sizeof v);
    assert_string_equal(v, "1");
    npy_format(&h, data, 2, v, sizeof v);
    assert_string_equal(v, "2");
}

static void test_numpy_v2_big_endian_fortran(void **state)
{
    /* np.arange(6, dtype='>i4').reshape(2, 3, order='F'), version (2, 0). */
    static const unsigned char data[] = { 0,0,0,0, 0,0,0,1, 0,0,0,2,
                                          0,0,0,3, 0,0,0,4, 0,0,0,5 };
    size_t len;
    unsigned char *b = npy_file(2, "{'descr': '>i4', 'fortran_order': True, "
                                "'shape': (2, 3), }", &len);
    unsigned char *f = malloc(len + sizeof data);
    struct npy_header h;
    char why[300], v[32];

    (void)state;
    memcpy(f, b, len);
    memcpy(f + len, data, sizeof data);
    assert_int_equal(npy_parse(f, len + sizeof data, &h, why, sizeof why), NPY_OK);
    assert_int_equal(h.major, 2);
    assert_int_equal(h.byteorder, '>');
    assert_true(h.fortran_order);
    assert_int_equal(h.ndim, 2);
    assert_int_equal(h.shape[0], 2);
    assert_int_equal(h.shape[1], 3);
    assert_int_equal(h.count, 6);
    assert_int_equal(h.data_offset, len);
    npy_format(&h, f + h.data_offset, 5, v, sizeof v);
    assert_string_equal(v, "5");
    npy_describe(&h, why, sizeof why);
    assert_string_equal(why, "4-byte signed integer, big-endian");
    free(b);
    free(f);
}

static void test_numpy_v3_scalar_and_empty(void **state)
{
    struct npy_header h;
    size_t len;
    char why[300];
    unsigned char *b = npy_file(3, "{'descr': '<u2', 'fortran_order': False, "
                                "'shape': (), }", &len);

    (void)state;
    assert_int_equal(npy_parse(b, len, &h, why, sizeof why), NPY_OK);
    assert_int_equal(h.major, 3);
    assert_int_equal(h.ndim, 0);
    assert_int_equal(h.count, 1);            /* a scalar is one element */
    assert_int_equal(h.data_bytes, 2);
    assert_false(npy_data_fits(&h, len + 1, why, sizeof why));
    assert_contains(why, "cut short");
    assert_true(npy_data_fits(&h, len + 2, why, sizeof why));
    free(b);

    accepted("{'descr': '|b1', 'fortran_order': False, 'shape': (0, 5), }", &h);
    assert_int_equal(h.count, 0);
    assert_int_equal(h.data_bytes, 0);
    assert_int_equal(h.byteorder, '|');
}

static void test_python_literal_variants(void **state)
{
    struct npy_header h;

    (void)state;
    /* Any key order, double quotes, no trailing comma, spaces and newlines
     * where Python allows them, Python 2's long suffix. */
    accepted("{\"shape\":(4,),\"descr\":\"<i8\",\"fortran_order\":False}", &h);
    assert_int_equal(h.shape[0], 4);
    accepted("{ 'fortran_order' : True ,\n 'shape' : ( 2 , 3 , ) , 'descr' : '>f4' }", &h);
    assert_int_equal(h.ndim, 2);
    assert_true(h.fortran_order);
    accepted("{'descr': '<u8', 'fortran_order': False, 'shape': (10L, 3L), }", &h);
    assert_int_equal(h.shape[0], 10);
    assert_int_equal(h.count, 30);
    /* A dimension above 4 Gi: the offsets of a > 4 GiB file. */
    accepted("{'descr': '<f8', 'fortran_order': False, 'shape': (671088640,), }", &h);
    assert_int_equal(h.data_bytes, 5368709120ULL);
}

/* ---- the writer ------------------------------------------------------------- */

static void test_write_reads_back(void **state)
{
    static const char *types[] = { "<f8", ">f8", "<f4", ">i2", "<i4", ">u8",
                                   "|u1", "|i1", "|b1", ">u4", "<i8" };
    unsigned char buf[4096];
    char why[300];

    (void)state;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        for (unsigned major = 0; major <= 3; major++) {
            struct npy_header w = { .major = major, .ndim = 3,
                                    .shape = { 2, 0x100000000ULL, 5 },
                                    .fortran_order = t % 2 };
            struct npy_header r;
            assert_int_equal(npy_set_type(&w, types[t], why, sizeof why), NPY_OK);
            size_t off = npy_write_header(buf, sizeof buf, &w);
            assert_int_not_equal(off, 0);
            assert_int_equal(off % NPY_ALIGN, 0);
            assert_int_equal(buf[off - 1], '\n');
            assert_int_equal(w.major, major == 0 ? 1 : major);
            if (npy_parse(buf, off, &r, why, sizeof why) != NPY_OK)
                fail_msg("%s v%u: %s", types[t], major, why);
            assert_string_equal(r.descr, types[t]);
            assert_int_equal(r.major, w.major);
            assert_int_equal(r.byteorder, w.byteorder);
            assert_int_equal(r.fortran_order, w.fortran_order);
            assert_int_equal(r.ndim, 3);
            assert_int_equal(r.shape[1], 0x100000000ULL);
            assert_int_equal(r.count, w.count);
            assert_int_equal(r.data_offset, off);
        }
    }
}

static void test_write_numpy_text(void **state)
{
    unsigned char buf[256];
    char why[300];
    struct npy_header w = { .ndim = 1, .shape = { 3 } };

    (void)state;
    npy_set_type(&w, "<f8", why, sizeof why);
    assert_int_equal(npy_write_header(buf, sizeof buf, &w), 128);
    /* What numpy writes, up to its padding. */
    assert_memory_equal(buf, "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', "
                        "'fortran_order': False, 'shape': (3,), }", 10 + 57);
    w = (struct npy_header){ .ndim = 0 };
    npy_set_type(&w, ">i4", why, sizeof why);
    assert_int_not_equal(npy_write_header(buf, sizeof buf, &w), 0);
    assert_non_null(memmem(buf, 128, "'shape': (), }", 14));
    w.ndim = 2;
    w.shape[0] = 2;
    w.shape[1] = 3;
    assert_int_not_equal(npy_write_header(buf, sizeof buf, &w), 0);
    assert_non_null(memmem(buf, 128, "'shape': (2, 3), }", 18));
}

static void test_shape_text(void **state)
{
    struct npy_header h = { .ndim = 0 };
    char s[64], small[5];

    (void)state;
    npy_shape_text(&h, s, sizeof s);
    assert_string_equal(s, "()");
    h.ndim = 1;
    h.shape[0] = 671088640;
    npy_shape_text(&h, s, sizeof s);
    assert_string_equal(s, "(671088640,)");
    h.ndim = 3;
    h.shape[1] = 2;
    h.shape[2] = 0;
    npy_shape_text(&h, s, sizeof s);
    assert_string_equal(s, "(671088640, 2, 0)");
    npy_shape_text(&h, small, sizeof small);        /* cut, still a string */
    assert_string_equal(small, "(671");
}

static void test_write_refuses(void **state)
{
    unsigned char buf[4096];
    char why[300];
    struct npy_header w = { .ndim = 1, .shape = { 3 } };

    (void)state;
    npy_set_type(&w, "<f8", why, sizeof why);
    assert_int_equal(npy_write_header(buf, 63, &w), 0);        /* too small */
    w.shape[0] = UINT64_MAX / 4;                               /* too much data */
    assert_int_equal(npy_write_header(buf, sizeof buf, &w), 0);
    /* ...but an empty array may have huge other dimensions, as in numpy
     * (found by the fuzz target: parser and writer disagreed). */
    w.ndim = 3;
    w.shape[1] = UINT64_MAX / 2;
    w.shape[2] = 0;
    assert_int_equal(npy_write_header(buf, sizeof buf, &w), 128);
    assert_int_equal(w.count, 0);
    w.shape[0] = 3;
    w.ndim = NPY_MAX_DIMS + 1;
    assert_int_equal(npy_write_header(buf, sizeof buf, &w), 0);
    w.ndim = 1;
    w.kind = 'c';
    assert_int_equal(npy_write_header(buf, sizeof buf, &w), 0);
}

/* ---- broken headers ----------------------------------------------------------- */

static void test_preamble_broken(void **state)
{
    struct npy_header h;
    char why[300];
    size_t len;
    unsigned char *b = npy_file(1, "{'descr': '<f8', 'fortran_order': False, "
                                "'shape': (3,), }", &len);

    (void)state;
    assert_int_equal(npy_parse("PK\x03\x04", 4, &h, why, sizeof why), NPY_MALFORMED);
    assert_contains(why, "not an NPY file");
    assert_int_equal(npy_parse(b, 7, &h, why, sizeof why), NPY_MALFORMED);
    assert_contains(why, "inside the NPY preamble");
    b[6] = 4;
    assert_int_equal(npy_parse(b, len, &h, why, sizeof why), NPY_UNSUPPORTED);
    assert_contains(why, "version 4.0");
    b[6] = 1;
    b[7] = 1;
    assert_int_equal(npy_parse(b, len, &h, why, sizeof why), NPY_UNSUPPORTED);
    assert_contains(why, "version 1.1");
    b[7] = 0;
    b[9] = 0x10;                                  /* header length 4096+ */
    assert_int_equal(npy_parse(b, len, &h, why, sizeof why), NPY_MALFORMED);
    assert_contains(why, "only 118 bytes follow");
    free(b);
}

/* Every prefix of a valid file that stops inside its header is refused,
 * and the parser reads nothing past the prefix (ASan watches). */
static void test_every_truncation(void **state)
{
    struct npy_header h;
    char why[300];
    size_t len;
    unsigned char *b = npy_file(2, "{'descr': '>u2', 'fortran_order': False, "
                                "'shape': (3, 4), }", &len);

    (void)state;
    for (size_t k = 0; k < len; k++) {
        unsigned char *p = malloc(k ? k : 1);
        memcpy(p, b, k);
        if (npy_parse(p, k, &h, why, sizeof why) != NPY_MALFORMED)
            fail_msg("a prefix of %zu bytes was not refused", k);
        free(p);
    }
    assert_int_equal(npy_parse(b, len, &h, why, sizeof why), NPY_OK);
    free(b);
}

static void test_dict_broken(void **state)
{
    (void)state;
    refused("['descr', '<f8']", NPY_MALFORMED, "expected '{'");
    refused("{'descr': '<f8', 'fortran_order': False}", NPY_MALFORMED,
            "'shape' is missing");
    refused("{'descr': '<f8', 'shape': (3,)}", NPY_MALFORMED,
            "'fortran_order' is missing");
    refused("{'fortran_order': False, 'shape': (3,)}", NPY_MALFORMED,
            "'descr' is missing");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}",
            NPY_MALFORMED, "unknown key 'x'");
    refused("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}",
            NPY_MALFORMED, "appears twice");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (3)}",
            NPY_MALFORMED, "written (3,)");
    refused("{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}",
            NPY_MALFORMED, "True or False");
    refused("{'descr': '<f8', 'fortran_order': Trueish, 'shape': (3,)}",
            NPY_MALFORMED, "True or False");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x",
            NPY_MALFORMED, "after the closing '}'");
    refused("{'descr': '<f8', 'fortran_order': False 'shape': (3,)}",
            NPY_MALFORMED, "expected ',' or '}'");
    refused("{'descr': '<f8, 'fortran_order': False, 'shape': (3,)}",
            NPY_MALFORMED, "expected ',' or '}'");
    refused("{'descr' '<f8', 'fortran_order': False, 'shape': (3,)}",
            NPY_MALFORMED, "expected ':'");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)",
            NPY_MALFORMED, "expected ',' or '}'");
    refused("{'descr': '<\\x66\\x38', 'fortran_order': False, 'shape': (3,)}",
            NPY_MALFORMED, "escapes");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (3 4,)}",
            NPY_MALFORMED, "',' or ')'");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}",
            NPY_MALFORMED, "whole numbers");
    refused("{'descr': '<f8', 'fortran_order': False, 'shape': [3]}",
            NPY_MALFORMED, "expected '('");
    refused("{'descr': '<f8', 'fortran_order': False, "
            "'shape': (99999999999999999999,)}", NPY_MALFORMED, "too large");
    refused("{'descr': '<f8', 'fortran_order': False, "
            "'shape': (4294967296, 4294967296,)}", NPY_MALFORMED, "more data");
    refused("{'descr': '<f8', 'fortran_order': False, "
            "'shape': (1152921504606846976,)}", NPY_MALFORMED, "more data");
    refused("{'descr': 3, 'fortran_order': False, 'shape': (3,)}",
            NPY_MALFORMED, "quoted string");
    refused("{'descr': 'hello', 'fortran_order': False, 'shape': (3,)}",
            NPY_MALFORMED, "not a numpy element type");
    refused("{'descr': '<', 'fortran_order': False, 'shape': (3,)}",
            NPY_MALFORMED, "not a numpy element type");
    /* Malformed wins over an unknown type: the header is broken first. */
    refused("{'descr': '<c16', 'fortran_order': maybe, 'shape': (3,)}",
            NPY_MALFORMED, "True or False");

    char many[2048] = "{'descr': '<f8', 'fortran_order': False, 'shape': (";
    for (int i = 0; i <= NPY_MAX_DIMS; i++)
        strcat(many, "1,");
    strcat(many, ")}");
    refused(many, NPY_MALFORMED, "more than 64 dimensions");
}

static void test_types_refused(void **state)
{
    static const char *unsupported[] = { "<c16", "<c8", "|S5", "<U10", "|O",
                                         "|V16", "<M8[ns]", "<m8[s]", "<f2",
                                         "<f16", "<i16", "|b2" };
    char dict[200];

    (void)state;
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
                 "'shape': (3,), }", unsupported[i]);
        refused(dict, NPY_UNSUPPORTED, "not supported");
    }
    refused("{'descr': [('x', '<f8'), ('y', '<i4')], 'fortran_order': False, "
            "'shape': (3,), }", NPY_UNSUPPORTED, "structured");
}

static void test_set_type(void **state)
{
    struct npy_header h;
    char why[300];
    const uint16_t one = 1;
    char host = *(const unsigned char *)&one ? '<' : '>';

    (void)state;
    assert_int_equal(npy_set_type(&h, "=f8", why, sizeof why), NPY_OK);
    assert_int_equal(h.byteorder, host);
    assert_int_equal(npy_set_type(&h, "|i4", why, sizeof why), NPY_OK);
    assert_int_equal(h.byteorder, host);
    assert_int_equal(npy_set_type(&h, "f4", why, sizeof why), NPY_OK);
    assert_int_equal(h.byteorder, host);
    assert_int_equal(npy_set_type(&h, "<u1", why, sizeof why), NPY_OK);
    assert_int_equal(h.byteorder, '|');
    assert_int_equal(npy_set_type(&h, ">c8", why, sizeof why), NPY_UNSUPPORTED);
    assert_contains(why, "'>c8' is not supported");
    assert_int_equal(npy_set_type(&h, "", why, sizeof why), NPY_MALFORMED);
    assert_int_equal(npy_set_type(&h, "<f8x", why, sizeof why), NPY_UNSUPPORTED);
    npy_set_type(&h, "|b1", why, sizeof why);
    npy_describe(&h, why, sizeof why);
    assert_string_equal(why, "1-byte bool");
    npy_set_type(&h, "<f8", why, sizeof why);
    npy_describe(&h, why, sizeof why);
    assert_string_equal(why, "8-byte float, little-endian");
}

static void test_messages_quote_safely(void **state)
{
    struct npy_header h;
    char why[400];

    (void)state;
    parse_dict("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), '\x1b[31m': 1}",
               &h, why, sizeof why);
    assert_contains(why, "escapes and control characters");
    parse_dict("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), '\xff\xfe': 1}",
               &h, why, sizeof why);
    assert_contains(why, "unknown key '\\xff\\xfe'");
}

/* ---- elements ----------------------------------------------------------------- */

static void test_elements_both_orders(void **state)
{
    static const struct { const char *descr; double in; const char *out; } cases[] = {
        { "<f8", 0.1, "0.1" }, { ">f8", -2.5e300, "-2.5e+300" },
        { "<f4", 0.1, "0.1" }, { ">f4", 16777216.0, "16777216" },
        { ">f4", 1e39, "inf" }, { "<f8", 5368709119.0, "5368709119" },
        { "<i1", -1, "-1" }, { ">i2", -300, "-300" }, { ">i4", -70000, "-70000" },
        { ">i8", -5e18, "-5000000000000000000" }, { "<u1", 255, "255" },
        { ">u2", 65535, "65535" }, { ">u4", 4e9, "4000000000" },
        { ">u8", 1.8e19, "18000000000000000000" }, { "<u2", 65536, "0" },
        { "|b1", 2, "True" }, { "|b1", 0, "False" }, { "<i4", 2.9, "2" },
        { "<i8", 1e30, "0" },
    };
    unsigned char data[3 * 8];
    char why[300], v[64];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct npy_header h;
        assert_int_equal(npy_set_type(&h, cases[i].descr, why, sizeof why), NPY_OK);
        memset(data, 0xee, sizeof data);
        npy_store(&h, data, 1, cases[i].in);
        npy_format(&h, data, 1, v, sizeof v);
        if (strcmp(v, cases[i].out) != 0)
            fail_msg("%s %g: got %s, wanted %s", cases[i].descr, cases[i].in, v,
                     cases[i].out);
        assert_int_equal(data[0], 0xee);               /* neighbours untouched */
        assert_int_equal(data[2 * h.itemsize], 0xee);
    }
}

static void test_elements_byte_layout(void **state)
{
    struct npy_header h;
    unsigned char d[8];
    char why[300], v[64];

    (void)state;
    npy_set_type(&h, ">u4", why, sizeof why);
    npy_store(&h, d, 0, 0x01020304);
    assert_memory_equal(d, "\x01\x02\x03\x04", 4);
    npy_set_type(&h, "<u4", why, sizeof why);
    npy_store(&h, d, 0, 0x01020304);
    assert_memory_equal(d, "\x04\x03\x02\x01", 4);
    npy_set_type(&h, ">f8", why, sizeof why);
    memcpy(d, "\x3f\xf0\0\0\0\0\0\0", 8);              /* 1.0, big-endian */
    npy_format(&h, d, 0, v, sizeof v);
    assert_string_equal(v, "1");
    memcpy(d, "\x7f\xf8\0\0\0\0\0\0", 8);
    npy_format(&h, d, 0, v, sizeof v);
    assert_string_equal(v, "nan");
    memcpy(d, "\xff\xf0\0\0\0\0\0\0", 8);
    npy_format(&h, d, 0, v, sizeof v);
    assert_string_equal(v, "-inf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numpy_v1_exact),
        cmocka_unit_test(test_numpy_v2_big_endian_fortran),
        cmocka_unit_test(test_numpy_v3_scalar_and_empty),
        cmocka_unit_test(test_python_literal_variants),
        cmocka_unit_test(test_write_reads_back),
        cmocka_unit_test(test_write_numpy_text),
        cmocka_unit_test(test_shape_text),
        cmocka_unit_test(test_write_refuses),
        cmocka_unit_test(test_preamble_broken),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_dict_broken),
        cmocka_unit_test(test_types_refused),
        cmocka_unit_test(test_set_type),
        cmocka_unit_test(test_messages_quote_safely),
        cmocka_unit_test(test_elements_both_orders),
        cmocka_unit_test(test_elements_byte_layout),
    };
    return cmocka_run_group_tests_name("npy", tests, NULL, NULL);
}
