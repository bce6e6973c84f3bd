/* test_linebuf.c — whole lines out of bytes that come in pieces: a line
 * split across reads, CRLF, a line too long (cut or skipped), a start
 * inside a line, the last line at the end of the input. */
#include "unit.h"

#include "linebuf.h"

/* Feeds text in pieces of at most step bytes, as reads would; the lines
 * handed out, each followed by '|', go to out. */
static void feed(struct linebuf *b, const char *text, size_t step, bool end,
                 char *out, size_t outsz)
{
    size_t len = strlen(text), done = 0, n;
    char *l;

    out[0] = '\0';
    while (done < len) {
        size_t room;
        char *at = linebuf_space(b, &room);
        size_t k = len - done < step ? len - done : step;
        if (k > room)
            k = room;
        memcpy(at, text + done, k);
        linebuf_added(b, k);
        done += k;
        while ((l = linebuf_next(b, &n, false)) != NULL) {
            assert_int_equal(n, strlen(l));
            strncat(out, l, outsz - strlen(out) - 2);
            strcat(out, "|");
        }
    }
    while (end && (l = linebuf_next(b, &n, true)) != NULL) {
        strncat(out, l, outsz - strlen(out) - 2);
        strcat(out, "|");
    }
}

static void test_lines_in_pieces(void **state)
{
    static struct linebuf b;
    char out[256];

    (void)state;
    for (size_t step = 1; step <= 8; step++) {
        linebuf_reset(&b, false, false);
        feed(&b, "one\ntwo\r\n\nthree", step, false, out, sizeof out);
        assert_string_equal(out, "one|two||");
        /* "three" has no newline yet: it waits for one, or for the end. */
        feed(&b, " more\n", step, false, out, sizeof out);
        assert_string_equal(out, "three more|");
    }
    linebuf_reset(&b, false, false);
    feed(&b, "last, no newline", 5, true, out, sizeof out);
    assert_string_equal(out, "last, no newline|");
}

static void test_too_long(void **state)
{
    static struct linebuf b;
    static char text[3 * LINEBUF_SIZE], out[4 * LINEBUF_SIZE];

    (void)state;
    memset(text, 'x', 2 * LINEBUF_SIZE + 10);
    strcpy(text + 2 * LINEBUF_SIZE + 10, "\nafter\n");

    linebuf_reset(&b, false, false);            /* skipped whole */
    feed(&b, text, 1000, false, out, sizeof out);
    assert_string_equal(out, "after|");

    linebuf_reset(&b, true, false);             /* cut into pieces */
    feed(&b, text, 1000, false, out, sizeof out);
    assert_int_equal(strlen(out), 2 * LINEBUF_SIZE + 10 + 3 + strlen("after|"));
    assert_int_equal(out[LINEBUF_SIZE], '|');
    assert_string_equal(out + strlen(out) - 16, "xxxxxxxxx|after|");
}

static void test_start_inside_a_line(void **state)
{
    static struct linebuf b;
    char out[256];

    (void)state;
    linebuf_reset(&b, false, true);
    feed(&b, "e of an event\n{\"a\":1}\n", 4, false, out, sizeof out);
    assert_string_equal(out, "{\"a\":1}|");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_in_pieces),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_start_inside_a_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
