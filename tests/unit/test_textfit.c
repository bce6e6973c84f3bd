/* test_textfit.c — text into rows: a shortened row ends at a word with a
 * mark, wrapped text breaks between words, a word longer than the row is
 * split with a continuation mark, and nothing is lost or cut unmarked. */
#include "unit.h"

#include "textfit.h"

#include <locale.h>

/* The rows of s wrapped at width, each followed by '|', the split mark
 * shown as '\'. */
static void wrap(const char *s, int width, char *out, size_t outsz)
{
    size_t skip;
    bool split;

    out[0] = '\0';
    while (*s) {
        size_t n = tf_row(s, width, false, &skip, &split);
        assert_true(n > 0);
        strncat(out, s, n < outsz - strlen(out) - 3 ? n : outsz - strlen(out) - 3);
        strcat(out, split ? "\\|" : "|");
        s += n + skip;
    }
}

static void test_wrap_between_words(void **state)
{
    char out[256];
    (void)state;

    wrap("the SIGBUS after shrinking it", 12, out, sizeof out);
    assert_string_equal(out, "the SIGBUS|after|shrinking it|");
    assert_int_equal(tf_rows("the SIGBUS after shrinking it", 12, false), 3);
    /* A row that ends exactly at a word's end keeps it. */
    wrap("abc def ghi", 7, out, sizeof out);
    assert_string_equal(out, "abc def|ghi|");
    /* Several spaces at a break are not shown. */
    wrap("abc    def", 5, out, sizeof out);
    assert_string_equal(out, "abc|def|");
}

static void test_long_word_split_marked(void **state)
{
    char out[256];
    (void)state;

    /* A path longer than the row: split, each full row one column short
     * for the mark; the words around it stay whole. */
    wrap("in /tmp/mmaplab-tour.abcdef/trace.jsonl now", 10, out, sizeof out);
    assert_string_equal(out, "in|/tmp/mmap\\|lab-tour.\\|abcdef/tr\\|ace.jsonl|now|");
    /* A hex run. */
    wrap("0123456789abcdef0123", 8, out, sizeof out);
    assert_string_equal(out, "0123456\\|789abcd\\|ef0123|");
    /* Nothing is lost: the rows put back together are the text. */
    const char *t = "x CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE)";
    char back[256] = "";
    size_t skip;
    bool split;
    for (const char *p = t; *p;) {
        size_t n = tf_row(p, 9, false, &skip, &split);
        strncat(back, p, n);
        if (skip)
            strcat(back, " ");
        p += n + skip;
    }
    assert_string_equal(back, t);
}

static void test_cut_at_a_word(void **state)
{
    bool cut;
    (void)state;

    /* Fits: whole, no mark. */
    assert_int_equal(tf_cut("2 map it", 8, false, &cut), 8);
    assert_false(cut);
    /* Too long: up to the last word that fits with the mark's column. */
    const char *s = "holds it open: descriptor 8  (this viewer, not counted)";
    size_t n = tf_cut(s, 40, false, &cut);
    assert_true(cut);
    assert_int_equal(n, strlen("holds it open: descriptor 8  (this"));
    /* One word longer than the row: as much of it as fits. */
    n = tf_cut("/tmp/mmaplab-tour.abcdef/trace.jsonl", 10, false, &cut);
    assert_true(cut);
    assert_int_equal(n, 9);
}

static void test_utf8_columns(void **state)
{
    int cols;
    bool cut;
    (void)state;

    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
        skip();
    /* "·" is two bytes, one column. */
    assert_int_equal(tf_fit("a \u00b7 b", 5, true, &cols), 6);
    assert_int_equal(cols, 5);
    assert_int_equal(tf_cut("step 1 \u00b7 create the name", 12, true, &cut),
                     strlen("step 1 \u00b7"));
    assert_true(cut);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_between_words),
        cmocka_unit_test(test_long_word_split_marked),
        cmocka_unit_test(test_cut_at_a_word),
        cmocka_unit_test(test_utf8_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
