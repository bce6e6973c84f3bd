/* test_json.c — the trace's JSON writer: json_quote (escaping, UTF-8
 * checking, the cap and its mark, small buffers), and what it writes read
 * back by jansson, the reader the viewer, the tour and the tests use.
 */
#include "unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#include <jansson.h>

/* json_quote of n bytes with a roomy buffer and the trace's limit. */
static const char *quote_n(const char *s, size_t n, bool *cut)
{
    static char out[8192];
    size_t len = json_quote(out, sizeof out, s, n, 256, cut);

    assert_int_equal(len, strlen(out));
    return out;
}

static const char *quote(const char *s)
{
    bool cut = true;
    const char *q = quote_n(s, strlen(s), &cut);

    assert_false(cut);
    return q;
}

/* The quoted string read back by jansson, as the value of {"k": ...}; the
 * caller frees.  NUL is let through here (JSON_ALLOW_NUL), so that a NUL
 * byte the writer escaped can be seen to come back: *len is the length. */
static char *round_trip_n(const char *quoted, size_t *len)
{
    char line[9000];
    json_error_t why;

    snprintf(line, sizeof line, "{\"k\":%s}", quoted);
    json_t *o = json_loads(line, JSON_ALLOW_NUL, &why);
    if (o == NULL)
        fail_msg("jansson refused %s: %s", line, why.text);
    const json_t *v = json_object_get(o, "k");
    assert_true(json_is_string(v));
    size_t n = json_string_length(v);
    char *copy = malloc(n + 1);
    assert_non_null(copy);
    memcpy(copy, json_string_value(v), n + 1);
    json_decref(o);
    if (len)
        *len = n;
    return copy;
}

static char *round_trip(const char *quoted)
{
    return round_trip_n(quoted, NULL);
}

/* ---- json_quote ------------------------------------------------------- */

static void test_quote_plain(void **state)
{
    bool cut = true;
    char out[64];

    (void)state;
    assert_string_equal(quote(""), "\"\"");
    assert_string_equal(quote("shm_open"), "\"shm_open\"");
    assert_string_equal(quote("/MyFileMappingObject"), "\"/MyFileMappingObject\"");
    assert_int_equal(json_quote(out, sizeof out, "abc", 3, 256, &cut), 5);
    assert_string_equal(out, "\"abc\"");
    assert_false(cut);
    /* Only n bytes are read: the rest of the string is not looked at. */
    assert_int_equal(json_quote(out, sizeof out, "abcdef", 2, 256, NULL), 4);
    assert_string_equal(out, "\"ab\"");
}

static void test_quote_quotes_backslashes(void **state)
{
    (void)state;
    assert_string_equal(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
    assert_string_equal(quote("C:\\Windows\\"), "\"C:\\\\Windows\\\\\"");
    assert_string_equal(quote("\\\""), "\"\\\\\\\"\"");
    /* '/' needs no escape */
    assert_string_equal(quote("/a/b"), "\"/a/b\"");
}

static void test_quote_every_control_byte(void **state)
{
    (void)state;
    for (int c = 0; c < 0x20; c++) {
        char in[3] = { 'a', (char)c, 'b' }, want[16];
        bool cut = true;

        if (c == '\n')
            strcpy(want, "\"a\\nb\"");
        else if (c == '\t')
            strcpy(want, "\"a\\tb\"");
        else if (c == '\r')
            strcpy(want, "\"a\\rb\"");
        else
            snprintf(want, sizeof want, "\"a\\u%04xb\"", (unsigned)c);
        const char *q = quote_n(in, 3, &cut);
        if (strcmp(q, want) != 0)
            fail_msg("byte 0x%02x: got %s, want %s", (unsigned)c, q, want);
        assert_false(cut);
        /* Nothing raw below 0x20 is left. */
        for (const char *p = q; *p; p++)
            assert_true((unsigned char)*p >= 0x20);
        /* And it reads back as the same byte, NUL too. */
        size_t len;
        char *back = round_trip_n(q, &len);
        assert_int_equal(len, 3);
        assert_memory_equal(back, in, 3);
        free(back);
    }
}

static void test_quote_del(void **state)
{
    (void)state;
    assert_string_equal(quote("x\x7fy"), "\"x\\u007fy\"");
    assert_string_equal(quote("~"), "\"~\"");    /* 0x7e is printable */
}

static void test_quote_valid_utf8_kept(void **state)
{
    static const char *good[] = {
        "caf\xc3\xa9",                       /* é, 2 bytes */
        "\xe2\x82\xac 5",                    /* €, 3 bytes */
        "\xf0\x9f\x98\x80",                  /* 😀, 4 bytes */
        "\xc2\x80",                          /* U+0080, first 2-byte */
        "\xdf\xbf",                          /* U+07FF, last 2-byte */
        "\xe0\xa0\x80",                      /* U+0800, first 3-byte */
        "\xed\x9f\xbf",                      /* U+D7FF, just below surrogates */
        "\xee\x80\x80",                      /* U+E000, just above them */
        "\xef\xbf\xbd",                      /* U+FFFD itself */
        "\xef\xbf\xbf",                      /* U+FFFF */
        "\xf0\x90\x80\x80",                  /* U+10000, first 4-byte */
        "\xf4\x8f\xbf\xbf",                  /* U+10FFFF, the last */
        "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",   /* Привет */
    };

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"%s\"", good[i]);
        assert_string_equal(quote(good[i]), want);
        char *back = round_trip(want);
        assert_string_equal(back, good[i]);
        free(back);
    }
}

static void test_quote_invalid_utf8(void **state)
{
    static const struct { const char *in, *want; } bad[] = {
        /* bad lead bytes: a lone continuation byte, C0/C1, F5-FF */
        { "a\x80z", "\"a\\ufffdz\"" },
        { "a\xbfz", "\"a\\ufffdz\"" },
        { "\xc0", "\"\\ufffd\"" },
        { "\xc1\xbf", "\"\\ufffd\\ufffd\"" },
        { "\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        { "\xf8", "\"\\ufffd\"" },
        { "\xfe\xff", "\"\\ufffd\\ufffd\"" },
        /* truncated: at the end, and followed by something else */
        { "a\xc3", "\"a\\ufffd\"" },
        { "\xe2\x82", "\"\\ufffd\\ufffd\"" },
        { "\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"" },
        { "\xe2\x82z", "\"\\ufffd\\ufffdz\"" },
        { "\xc3\xc3\xa9", "\"\\ufffd\xc3\xa9\"" },
        /* overlong forms of '/' (2, 3 and 4 bytes) and of U+07FF, U+FFFF */
        { "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
        { "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },
        { "\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        { "\xe0\x9f\xbf", "\"\\ufffd\\ufffd\\ufffd\"" },
        { "\xf0\x8f\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        /* UTF-16 surrogates: first, last, and a pair written as UTF-8 */
        { "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
        { "\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"" },
        { "\xed\xa0\xbd\xed\xb8\x80",
          "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        /* past U+10FFFF */
        { "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        { "\xf7\xbf\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *q = quote(bad[i].in);
        if (strcmp(q, bad[i].want) != 0)
            fail_msg("case %zu: got %s, want %s", i, q, bad[i].want);
        /* What is written is valid JSON, read back as U+FFFD. */
        char *back = round_trip(q);
        assert_non_null(strstr(back, "\xef\xbf\xbd"));
        free(back);
    }
}

static void test_quote_cap_256(void **state)
{
    char in[600], want[700];
    bool cut = false;

    (void)state;
    /* exactly 256 bytes: kept whole */
    memset(in, 'a', 256);
    in[256] = '\0';
    snprintf(want, sizeof want, "\"%s\"", in);
    assert_string_equal(quote_n(in, 256, &cut), want);
    assert_false(cut);

    /* 257 and more: 256 kept, marked */
    memset(in, 'a', 500);
    in[500] = '\0';
    const char *q = quote_n(in, 500, &cut);
    assert_true(cut);
    assert_int_equal(strlen(q), 1 + 256 + 5 + 1);
    assert_memory_equal(q + 257, "[cut]\"", 7);

    /* NULL for cut is allowed */
    char out[1000];
    json_quote(out, sizeof out, in, 500, 256, NULL);
    assert_string_equal(out, q);

    /* The cap counts input bytes, not output: 256 control bytes are kept
     * whole although they take 6 bytes each. */
    memset(in, 1, 256);
    q = quote_n(in, 256, &cut);
    assert_false(cut);
    assert_int_equal(strlen(q), 2 + 256 * 6);
}

/* A character that straddles the 256th byte is left out whole. */
static void test_quote_cut_on_character_boundary(void **state)
{
    static const char *chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
    char in[600];
    bool cut;

    (void)state;
    for (size_t c = 0; c < 3; c++) {
        size_t clen = strlen(chars[c]);
        for (size_t before = 256 - clen + 1; before <= 255; before++) {
            memset(in, 'a', before);
            memcpy(in + before, chars[c], clen);
            memcpy(in + before + clen, "zzz", 4);
            const char *q = quote_n(in, strlen(in), &cut);
            assert_true(cut);
            /* "aaa...a[cut]": the partial character is not in it */
            assert_int_equal(strlen(q), 1 + before + 5 + 1);
            assert_memory_equal(q + 1 + before, "[cut]\"", 7);
        }
        /* ending exactly at byte 256: kept, then the cut */
        memset(in, 'a', 256 - clen);
        memcpy(in + 256 - clen, chars[c], clen);
        memcpy(in + 256, "zzz", 4);
        const char *q = quote_n(in, strlen(in), &cut);
        assert_true(cut);
        assert_memory_equal(q + 1 + 256 - clen, chars[c], clen);
        assert_memory_equal(q + 1 + 256, "[cut]\"", 7);
    }
    /* A cut escape is never split either: 255 'a' and a quote make 256
     * input bytes, kept whole as \" */
    memset(in, 'a', 255);
    strcpy(in + 255, "\"bc");
    const char *q = quote_n(in, strlen(in), &cut);
    assert_true(cut);
    assert_memory_equal(q + 256, "\\\"[cut]\"", 9);
}

/* Any limit, not only the trace's. */
static void test_quote_other_limits(void **state)
{
    char out[64];
    bool cut;

    (void)state;
    assert_int_equal(json_quote(out, sizeof out, "hello", 5, 0, &cut), 7);
    assert_string_equal(out, "\"[cut]\"");
    assert_true(cut);
    json_quote(out, sizeof out, "hello", 5, 5, &cut);
    assert_string_equal(out, "\"hello\"");
    assert_false(cut);
    json_quote(out, sizeof out, "h\xc3\xa9llo", 6, 2, &cut);
    assert_string_equal(out, "\"h[cut]\"");
    assert_true(cut);
    json_quote(out, sizeof out, "", 0, 0, &cut);
    assert_string_equal(out, "\"\"");
    assert_false(cut);
}

/* Every buffer size from 0 up: nothing written past cap, always a string
 * the reader takes, cut only on a character boundary and then marked. */
static void test_quote_tiny_buffers(void **state)
{
    static const char *inputs[] = {
        "plain text that is long enough to need cutting",
        "\"\\\"\\\"\\\"\\\"\\\"\\",
        "\x01\x02\x03\x04\x05\x06\x07\x08\x7f\x7f",
        "caf\xc3\xa9 \xe2\x82\xac\xe2\x82\xac \xf0\x9f\x98\x80\xf0\x9f\x98\x80",
        "\xff\xfe\xc3\xe2\x82",
    };

    (void)state;
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        const char *in = inputs[k];
        size_t n = strlen(in);
        for (size_t cap = 0; cap < 80; cap++) {
            char *buf = malloc(cap + 16);
            bool cut = false;
            assert_non_null(buf);
            memset(buf, '#', cap + 16);
            size_t len = json_quote(buf, cap, in, n, 256, &cut);
            for (size_t g = cap; g < cap + 16; g++)
                if (buf[g] != '#')
                    fail_msg("input %zu, cap %zu: byte %zu written", k, cap, g);
            if (len == 0) {
                /* too small for a string and the cut mark */
                assert_true(cap < 9);
                if (cap > 0)
                    assert_int_equal(buf[0], '\0');
                free(buf);
                continue;
            }
            assert_true(len < cap);
            assert_int_equal(strlen(buf), len);
            assert_int_equal(buf[0], '"');
            assert_int_equal(buf[len - 1], '"');
            char *back = round_trip(buf);
            size_t bl = strlen(back);
            if (cut) {
                assert_true(bl >= 5);
                assert_string_equal(back + bl - 5, "[cut]");
                bl -= 5;
            } else {
                assert_int_equal(strlen(buf), len);
            }
            /* The kept part is the input's beginning, cut at a character
             * boundary (invalid bytes aside, which read back as U+FFFD). */
            if (k < 4) {
                assert_memory_equal(back, in, bl);
                if (cut)
                    assert_true(bl < n && ((unsigned char)in[bl] & 0xC0) != 0x80);
                else
                    assert_int_equal(bl, n);
            }
            free(back);
            free(buf);
        }
    }
}

/* The UTF-8 check itself (ml_escape uses it too). */
static void test_utf8_len(void **state)
{
    static const struct { const char *s; size_t n, want; } cases[] = {
        { "A", 1, 1 }, { "\x7f", 1, 1 },
        { "\xc3\xa9", 2, 2 }, { "\xe2\x82\xac", 3, 3 },
        { "\xf0\x9f\x98\x80", 4, 4 }, { "\xf4\x8f\xbf\xbf", 4, 4 },
        { "\xc3\xa9zz", 4, 2 },               /* only the first character */
        { "\x80", 1, 0 }, { "\xc0\x80", 2, 0 }, { "\xc1\xbf", 2, 0 },
        { "\xf5\x80\x80\x80", 4, 0 }, { "\xff", 1, 0 },
        { "\xc3", 1, 0 }, { "\xe2\x82", 2, 0 },
        { "\xe2\x82\xac", 2, 0 },            /* n cuts it short */
        { "\xc3(", 2, 0 },                     /* bad continuation */
        { "\xe0\x9f\xbf", 3, 0 }, { "\xf0\x8f\xbf\xbf", 4, 0 },
        { "\xed\xa0\x80", 3, 0 }, { "\xed\xbf\xbf", 3, 0 },
        { "\xed\x9f\xbf", 3, 3 }, { "\xf4\x90\x80\x80", 4, 0 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = json_utf8_len((const unsigned char *)cases[i].s, cases[i].n);
        if (got != cases[i].want)
            fail_msg("case %zu: %zu, want %zu", i, got, cases[i].want);
    }
}

/* ---- read back ------------------------------------------------------------ */

/* Everything the writer can produce reads back as what was written. */
static void test_round_trip_all_bytes(void **state)
{
    char in[300], q[2000];

    (void)state;
    /* every ASCII byte, NUL first */
    for (int i = 0; i < 128; i++)
        in[i] = (char)i;
    json_quote(q, sizeof q, in, 128, 256, NULL);
    size_t len;
    char *back = round_trip_n(q, &len);
    assert_int_equal(len, 128);
    assert_memory_equal(back, in, 128);
    free(back);

    /* every byte 0x80-0xFF on its own: each reads back as U+FFFD */
    for (int i = 0x80; i < 0x100; i++) {
        char one[2] = { (char)i, 0 };
        json_quote(q, sizeof q, one, 1, 256, NULL);
        back = round_trip(q);
        assert_string_equal(back, "\xef\xbf\xbd");
        free(back);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_plain),
        cmocka_unit_test(test_quote_quotes_backslashes),
        cmocka_unit_test(test_quote_every_control_byte),
        cmocka_unit_test(test_quote_del),
        cmocka_unit_test(test_quote_valid_utf8_kept),
        cmocka_unit_test(test_quote_invalid_utf8),
        cmocka_unit_test(test_quote_cap_256),
        cmocka_unit_test(test_quote_cut_on_character_boundary),
        cmocka_unit_test(test_quote_other_limits),
        cmocka_unit_test(test_quote_tiny_buffers),
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_round_trip_all_bytes),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
