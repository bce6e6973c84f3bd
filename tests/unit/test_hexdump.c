/* test_hexdump.c — bytes and sizes shown to people: ml_hexdump (rows of 16,
 * offsets, the text column, small buffers), ml_escape (what a terminal may
 * show as it is, the rest as C escapes) and ml_human_size.
 */
#include "unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmaplab.h"

/* ---- ml_hexdump ------------------------------------------------------------ */

static void test_hexdump_one_row(void **state)
{
    char out[512];
    size_t n;

    (void)state;
    n = ml_hexdump(out, sizeof out, "Hi\n\0\xff", 5, 0, "  ");
    assert_string_equal(out,
        "  00000000  48 69 0a 00 ff                                    |Hi...|\n");
    assert_int_equal(n, strlen(out));

    /* exactly 16 bytes: one full row, the gap after the 8th */
    n = ml_hexdump(out, sizeof out, "Message from fir", 16, 0, "");
    assert_string_equal(out,
        "00000000  4d 65 73 73 61 67 65 20  66 72 6f 6d 20 66 69 72  |Message from fir|\n");
    assert_int_equal(n, strlen(out));
}

static void test_hexdump_rows_and_offsets(void **state)
{
    unsigned char b[40];
    char out[1024];

    (void)state;
    for (int i = 0; i < 40; i++)
        b[i] = (unsigned char)(0x41 + i);
    ml_hexdump(out, sizeof out, b, 40, 0x1000, "    ");
    assert_string_equal(out,
        "    00001000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n"
        "    00001010  51 52 53 54 55 56 57 58  59 5a 5b 5c 5d 5e 5f 60  |QRSTUVWXYZ[\\]^_`|\n"
        "    00001020  61 62 63 64 65 66 67 68                           |abcdefgh|\n");
    /* 17 bytes: a second row of one byte, at base + 16 */
    ml_hexdump(out, sizeof out, b, 17, 0, "");
    assert_contains(out, "\n00000010  51       ");
    assert_contains(out, "|Q|\n");
    /* an offset past 32 bits is shown whole */
    ml_hexdump(out, sizeof out, b, 1, 0x123456789LL, "");
    assert_contains(out, "123456789  41");
}

/* Printable ASCII shows in the text column; everything else is a dot. */
static void test_hexdump_text_column(void **state)
{
    unsigned char b[256];
    char out[8192];

    (void)state;
    for (int i = 0; i < 256; i++)
        b[i] = (unsigned char)i;
    ml_hexdump(out, sizeof out, b, 256, 0, "");
    char *line = out;
    for (int row = 0; row < 16; row++) {
        char *bar = strchr(line, '|');
        assert_non_null(bar);
        for (int k = 0; k < 16; k++) {
            int c = row * 16 + k;
            char want = c >= 0x20 && c < 0x7f ? (char)c : '.';
            if (bar[1 + k] != want)
                fail_msg("byte 0x%02x shown as '%c'", c, bar[1 + k]);
        }
        assert_memory_equal(bar + 17, "|\n", 2);
        line = bar + 19;
    }
    assert_int_equal(*line, '\0');
}

static void test_hexdump_empty(void **state)
{
    char out[8] = "#######";

    (void)state;
    assert_int_equal(ml_hexdump(out, sizeof out, "", 0, 0, "  "), 0);
    assert_string_equal(out, "");
    /* outsz 0: nothing is written at all */
    memset(out, '#', sizeof out);
    assert_int_equal(ml_hexdump(out, 0, "abc", 3, 0, ""), 0);
    assert_int_equal(out[0], '#');
}

/* A buffer too small keeps whole rows only, NUL-terminated, and nothing
 * past outsz is touched. */
static void test_hexdump_small_buffers(void **state)
{
    unsigned char b[48];
    char full[1024];

    (void)state;
    for (int i = 0; i < 48; i++)
        b[i] = (unsigned char)i;
    size_t whole = ml_hexdump(full, sizeof full, b, 48, 0, "  ");
    size_t row = (size_t)(strchr(full, '\n') - full) + 1;
    assert_int_equal(whole, 3 * row);
    for (size_t cap = 1; cap < whole + 4; cap++) {
        char *out = malloc(cap + 8);
        assert_non_null(out);
        memset(out, '#', cap + 8);
        size_t n = ml_hexdump(out, cap, b, 48, 0, "  ");
        for (size_t g = cap; g < cap + 8; g++)
            assert_int_equal(out[g], '#');
        assert_int_equal(strlen(out), n);
        assert_int_equal(n % row, 0);                  /* whole rows */
        assert_true(n < cap);
        assert_true(n + row >= cap || n == whole);     /* as many as fit */
        assert_memory_equal(out, full, n);
        free(out);
    }
}

/* Any indent is taken: a long one makes long rows, not a broken stack. */
static void test_hexdump_long_indent(void **state)
{
    char indent[201], out[2048];

    (void)state;
    memset(indent, ' ', 200);
    indent[200] = '\0';
    size_t n = ml_hexdump(out, sizeof out, "0123456789abcdefXYZ", 19, 0, indent);
    assert_int_equal(n, strlen(out));
    char *second = strchr(out, '\n') + 1;
    assert_int_equal(strspn(out, " "), 200);
    assert_memory_equal(out + 200, "00000000  30 31", 15);
    assert_int_equal(strspn(second, " "), 200);
    assert_memory_equal(second + 200, "00000010  58 59 5a", 18);
    assert_contains(second, "|XYZ|\n");
}

/* ---- ml_escape ------------------------------------------------------------- */

static const char *esc(const char *s, size_t n)
{
    static char out[1024];
    size_t len = ml_escape(out, sizeof out, s, n);

    assert_int_equal(len, strlen(out));
    return out;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_escape_printable(void **state)
{
    (void)state;
    assert_string_equal(ESC("Message from first process."),
                        "Message from first process.");
    assert_string_equal(ESC(" ~!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}"),
                        " ~!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}");
    assert_string_equal(ESC(""), "");
}

static void test_escape_c_escapes(void **state)
{
    (void)state;
    assert_string_equal(ESC("a\nb\tc\rd"), "a\\nb\\tc\\rd");
    assert_string_equal(ESC("back\\slash \"quoted\""),
                        "back\\\\slash \\\"quoted\\\"");
    assert_string_equal(ESC("\x01\x1b[31m\x7f"), "\\x01\\x1b[31m\\x7f");
    /* a NUL inside the bytes is shown, not an end */
    assert_string_equal(ESC("a\0b"), "a\\x00b");
    /* every control byte is escaped: none reaches the terminal */
    for (int c = 0; c < 0x20; c++) {
        char in[1] = { (char)c };
        const char *o = esc(in, 1);
        assert_int_equal(o[0], '\\');
        for (const char *p = o; *p; p++)
            assert_true(*p >= 0x20 && *p < 0x7f);
    }
}

/* Whole UTF-8 characters show as typed; the C1 controls and anything that
 * is not UTF-8 are escaped byte by byte. */
static void test_escape_utf8(void **state)
{
    (void)state;
    assert_string_equal(ESC("caf\xc3\xa9"), "caf\xc3\xa9");
    assert_string_equal(ESC("\xe2\x82\xac 5"), "\xe2\x82\xac 5");
    assert_string_equal(ESC("\xf0\x9f\x98\x80!"), "\xf0\x9f\x98\x80!");
    assert_string_equal(ESC("\xc2\xa0"), "\xc2\xa0");          /* U+00A0 */
    assert_string_equal(ESC("\xc2\x80"), "\\xc2\\x80");        /* U+0080, C1 */
    assert_string_equal(ESC("\xc2\x9b" "31m"), "\\xc2\\x9b31m"); /* CSI */
    assert_string_equal(ESC("\xff\xfe"), "\\xff\\xfe");
    assert_string_equal(ESC("\x80"), "\\x80");
    assert_string_equal(ESC("\xe2\x82"), "\\xe2\\x82");        /* truncated */
    assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");        /* overlong */
    assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* surrogate */
    assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
    /* bidirectional overrides would make the text read other than it is */
    assert_string_equal(ESC("a\xe2\x80\xae" "b"), "a\\xe2\\x80\\xaeb");  /* U+202E */
    assert_string_equal(ESC("\xe2\x80\xaa"), "\\xe2\\x80\\xaa");          /* U+202A */
    assert_string_equal(ESC("\xe2\x81\xa9"), "\\xe2\\x81\\xa9");          /* U+2069 */
    assert_string_equal(ESC("\xe2\x80\x94"), "\xe2\x80\x94");          /* an em dash passes */
    /* a character cut off by n is escaped, not read past n */
    char *heap = malloc(2);
    memcpy(heap, "\xc3\xa9", 2);
    assert_string_equal(esc(heap, 1), "\\xc3");
    free(heap);
}

/* Every byte alone, and every C1 control as UTF-8: what comes out is
 * printable ASCII only.  Valid UTF-8 text is kept (a name in a student's
 * language should read as typed, and a UTF-8 terminal shows it without
 * acting on it); C1 controls, bidirectional overrides and any byte that is
 * not part of a valid character are escaped, since those are what a
 * terminal acts on or what would make the text read other than it is. */
static void test_escape_every_byte(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        unsigned char in[1] = { (unsigned char)c };
        const char *o = esc((const char *)in, 1);
        for (const char *p = o; *p; p++)
            assert_true(*p >= 0x20 && *p < 0x7f);
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
            assert_int_equal(strlen(o), 1);
        else
            assert_int_equal(o[0], '\\');
    }
    assert_string_equal(ESC("\x7f"), "\\x7f");                 /* DEL */
    assert_string_equal(ESC("\x1b"), "\\x1b");                 /* ESC */
    assert_string_equal(ESC("\x07\x08\x0b\x0c"), "\\x07\\x08\\x0b\\x0c");
    for (int c = 0x80; c < 0xa0; c++) {
        char in[2] = { (char)(0xc0 | (c >> 6)), (char)(0x80 | (c & 0x3f)) };
        char want[16];
        snprintf(want, sizeof want, "\\x%02x\\x%02x", (unsigned char)in[0],
                 (unsigned char)in[1]);
        assert_string_equal(esc(in, 2), want);
    }
}

/* ---- ml_format: every %s and %c is escaped, the format is not ---------- */

static void test_format_escapes_arguments(void **state)
{
    char out[256];

    (void)state;
    ml_format(out, sizeof out, "shm_open(\"%s\", %d) = %s", "/a\x1b[31m\"b\n", 3, "ok");
    assert_string_equal(out, "shm_open(\"/a\\x1b[31m\\\"b\\n\", 3) = ok");
    /* the format's own text, \n included, is the program's: as it is */
    ml_format(out, sizeof out, "line\n%%s %s", "x");
    assert_string_equal(out, "line\n%s x");
    ml_format(out, sizeof out, "[%c][%c]", 'a', 0x1b);
    assert_string_equal(out, "[a][\\x1b]");
    /* numbers of every length, widths, precisions, pointers */
    ml_format(out, sizeof out, "%d %ld %lld %zu %u %x %03d %-4d| %5.1f %hhd %p",
              -1, -2L, -3LL, (size_t)4, 5u, 255u, 7, 8, 2.25, (signed char)-9,
              (void *)0x10);
    assert_string_equal(out, "-1 -2 -3 4 5 ff 007 8   |   2.2 -9 0x10");
    ml_format(out, sizeof out, "[%5s][%-5s][%.2s][%.*s][%*s]", "ab", "ab", "abcd", 3,
              "abcdef", 4, "z");
    assert_string_equal(out, "[   ab][ab   ][ab][abc][   z]");
    /* the precision counts bytes in: a control byte past it is not read */
    ml_format(out, sizeof out, "%.1s", "a\x1b");
    assert_string_equal(out, "a");
}

/* What does not fit is cut, and the cut shows: "..." at the end, never half
 * an escape, never past the buffer. */
static void test_format_cut_is_marked(void **state)
{
    char big[600];
    char out[64];

    (void)state;
    memset(big, '\x1b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    for (size_t cap = 0; cap < sizeof out; cap++) {
        memset(out, '#', sizeof out);
        size_t n = ml_format(out, cap, "name %s end", big);
        for (size_t g = cap; g < sizeof out; g++)
            assert_int_equal(out[g], '#');
        if (cap == 0)
            continue;
        assert_int_equal(n, strlen(out));
        if (cap > 8) {
            assert_true(n >= 3 && strcmp(out + n - 3, "...") == 0);
            /* only whole \x1b escapes before the mark */
            assert_int_equal((n - 3 - 5) % 4, 0);
        }
    }
    ml_format(out, sizeof out, "%s", "fits");
    assert_string_equal(out, "fits");
    ml_format(out, 8, "%d", 123456789);
    assert_string_equal(out, "1234...");
    ml_format(out, 8, "abcdefghij");
    assert_string_equal(out, "abcd...");
}

/* A small buffer gets whole escapes and whole characters only. */
static void test_escape_small_buffers(void **state)
{
    const char in[] = "ab\x01\xe2\x82\xac\n\xc3\xa9z";
    const size_t n = sizeof in - 1;
    char full[128];

    (void)state;
    size_t whole = ml_escape(full, sizeof full, in, n);
    assert_string_equal(full, "ab\\x01\xe2\x82\xac\\n\xc3\xa9z");
    for (size_t cap = 0; cap < whole + 4; cap++) {
        char out[160];
        memset(out, '#', sizeof out);
        size_t len = ml_escape(out, cap, in, n);
        for (size_t g = cap; g < sizeof out; g++)
            assert_int_equal(out[g], '#');
        if (cap == 0) {
            assert_int_equal(len, 0);
            continue;
        }
        assert_int_equal(strlen(out), len);
        assert_true(len < cap);
        assert_memory_equal(out, full, len);
        /* cut only between pieces: the next piece starts right after */
        static const size_t bounds[] = { 0, 1, 2, 6, 9, 11, 13, 14 };
        int ok = 0;
        for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++)
            ok |= len == bounds[k];
        if (!ok)
            fail_msg("cap %zu: cut inside a piece at %zu: %s", cap, len, out);
    }
}

/* ---- ml_human_size ------------------------------------------------------- */

static const char *human(unsigned long long v)
{
    static char out[64];

    ml_human_size(v, out, sizeof out);
    return out;
}

static void test_human_size(void **state)
{
    (void)state;
    assert_string_equal(human(0), "0 bytes");
    assert_string_equal(human(1), "1 byte");
    assert_string_equal(human(2), "2 bytes");
    assert_string_equal(human(256), "256 bytes");
    assert_string_equal(human(1023), "1023 bytes");
    assert_string_equal(human(1024), "1 KiB");
    assert_string_equal(human(1536), "1.5 KiB");
    assert_string_equal(human(4096), "4 KiB");
    assert_string_equal(human(1ULL << 20), "1 MiB");
    assert_string_equal(human(3ULL << 19), "1.5 MiB");
    assert_string_equal(human(1ULL << 30), "1 GiB");
    assert_string_equal(human(5ULL << 29), "2.5 GiB");
    assert_string_equal(human(1ULL << 40), "1 TiB");
    assert_string_equal(human(1ULL << 50), "1 PiB");
    assert_string_equal(human(1ULL << 60), "1 EiB");
    assert_string_equal(human(INT64_MAX), "8 EiB");
}

/* Just below a unit: never "1024.0 KiB". */
static void test_human_size_unit_edges(void **state)
{
    (void)state;
    assert_string_equal(human((1ULL << 20) - 1), "1.0 MiB");
    assert_string_equal(human((1ULL << 30) - 1), "1.0 GiB");
    assert_string_equal(human((1ULL << 40) - 1), "1.0 TiB");
    assert_string_equal(human(1023ULL * 1024 + 512), "1023.5 KiB");
    assert_string_equal(human(1023ULL * 1024), "1023 KiB");
    for (unsigned long long v = 1024; v < (1ULL << 62); v = v * 3 + 7) {
        const char *h = human(v);
        if (strncmp(h, "1024", 4) == 0)
            fail_msg("%llu bytes shown as %s", v, h);
    }
}

static void test_human_size_small_buffer(void **state)
{
    char out[16];

    (void)state;
    memset(out, '#', sizeof out);
    ml_human_size(1536, out, 4);
    assert_string_equal(out, "1.5");
    assert_int_equal(out[4], '#');
    memset(out, '#', sizeof out);
    ml_human_size(100, out, 3);
    assert_string_equal(out, "10");
    assert_int_equal(out[3], '#');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hexdump_one_row),
        cmocka_unit_test(test_hexdump_rows_and_offsets),
        cmocka_unit_test(test_hexdump_text_column),
        cmocka_unit_test(test_hexdump_empty),
        cmocka_unit_test(test_hexdump_small_buffers),
        cmocka_unit_test(test_hexdump_long_indent),
        cmocka_unit_test(test_escape_printable),
        cmocka_unit_test(test_escape_c_escapes),
        cmocka_unit_test(test_escape_utf8),
        cmocka_unit_test(test_escape_small_buffers),
        cmocka_unit_test(test_escape_every_byte),
        cmocka_unit_test(test_format_escapes_arguments),
        cmocka_unit_test(test_format_cut_is_marked),
        cmocka_unit_test(test_human_size),
        cmocka_unit_test(test_human_size_unit_edges),
        cmocka_unit_test(test_human_size_small_buffer),
    };
    return cmocka_run_group_tests_name("hexdump", tests, NULL, NULL);
}
