/* test_trace_read.c — a trace line read back, as the viewer (tt_parse), the
 * tour (tour_trace_next) and tracecheck read it (traceline_read).  A trace
 * file is outside data: anyone who can append to it can write any bytes,
 * so what is refused matters as much as what is read.
 */
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traceline.h"
#include "tracetail.h"
#include "tour_trace.h"

/* A whole event line for /obj, with extra keys spliced in before the end. */
#define EVENT(extra)                                                          \
    "{\"v\":1,\"ts_ns\":5,\"pid\":9,\"prog\":\"03-copy\",\"event\":\"error\"," \
    "\"object\":\"/obj\"" extra "}"

static json_t *read_str(const char *line)
{
    return traceline_read(line, strlen(line), NULL);
}

static void refused(const char *line)
{
    json_error_t why;
    json_t *o = traceline_read(line, strlen(line), &why);

    if (o != NULL) {
        json_decref(o);
        fail_msg("taken, but should be refused: %s", line);
    }
    assert_true(why.text[0] != '\0');      /* and it says why */
}

/* ---- traceline_read: what a line must be -------------------------------- */

static void test_one_object(void **state)
{
    (void)state;
    json_t *o = read_str(EVENT(",\"message\":\"hi\""));
    assert_non_null(o);
    assert_string_equal(traceline_str(o, "prog"), "03-copy");
    assert_int_equal(traceline_int(o, "pid"), 9);
    assert_string_equal(traceline_str(o, "message"), "hi");
    assert_null(traceline_str(o, "none"));        /* missing */
    assert_null(traceline_str(o, "pid"));         /* not a string */
    assert_int_equal(traceline_int(o, "none"), 0);
    assert_int_equal(traceline_int(o, "prog"), 0);
    json_decref(o);

    /* white space around it is allowed, and the newline's \r */
    o = read_str("  {\"a\":1}\r");
    assert_non_null(o);
    json_decref(o);
}

static void test_malformed_lines(void **state)
{
    static const char *bad[] = {
        "", " ", "{", "}", "[]", "[{\"a\":1}]", "\"a\"", "1", "null", "true",
        "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,}",
        "{\"a\":1,,\"b\":2}", "{\"a\":1 \"b\":2}", "{'a':1}", "{a:1}",
        "{\"a\":1}}", "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":tru}",
        "{\"a\":True}", "{\"a\":nul}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
        "{\"a\":+1}", "{\"a\":0x10}", "{\"a\":NaN}", "{\"a\":\"x}",
        "{\"a\":\"tab\there\"}",             /* a raw control byte */
        "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\uZZZZ\"}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(bad[i]);
}

/* A line cut anywhere (a writer killed half-way, or a reader landing
 * between two writes) is no event. */
static void test_every_prefix_refused(void **state)
{
    const char *line = EVENT(",\"message\":\"caf\\u00e9 \\\"q\\\"\",\"n\":-12,"
                             "\"t\":true,\"x\":null,\"nest\":{\"a\":[1,2]}");
    (void)state;
    json_t *o = read_str(line);
    assert_non_null(o);
    json_decref(o);
    for (size_t n = 0; n < strlen(line); n++) {
        o = traceline_read(line, n, NULL);
        if (o != NULL) {
            json_decref(o);
            fail_msg("the first %zu bytes were taken: %.*s", n, (int)n, line);
        }
    }
}

static void test_escapes_decoded(void **state)
{
    (void)state;
    json_t *o = read_str("{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t "
                         "\\u00e9 \\u20ac \\ud83d\\ude00\"}");
    assert_non_null(o);
    assert_string_equal(traceline_str(o, "s"),
                        "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    json_decref(o);
    /* a surrogate alone, or the wrong way round, is no character */
    refused("{\"s\":\"\\ud83d\"}");
    refused("{\"s\":\"\\ude00\"}");
    refused("{\"s\":\"\\ude00\\ud83d\"}");
}

/* \u0000 would cut a C string short: "/obj\u0000-not" must not pass as
 * "/obj".  The writer never writes one (its strings are C strings). */
static void test_nul_refused(void **state)
{
    (void)state;
    refused(EVENT(",\"message\":\"a\\u0000b\""));
    refused("{\"object\":\"/obj\\u0000-not\"}");
    refused("{\"k\\u0000\":1}");
    /* a raw NUL byte in the line, too */
    static const char raw[] = "{\"a\":\"x\0y\"}";
    assert_null(traceline_read(raw, sizeof raw - 1, NULL));
}

/* Bytes that are not UTF-8 (the writer turns them into U+FFFD). */
static void test_invalid_utf8_refused(void **state)
{
    (void)state;
    refused("{\"a\":\"\xff\"}");
    refused("{\"a\":\"\xc3\"}");              /* cut short */
    refused("{\"a\":\"\xc0\xaf\"}");          /* overlong '/' */
    refused("{\"a\":\"\xed\xa0\x80\"}");      /* a surrogate, encoded */
    json_t *o = read_str("{\"a\":\"\xef\xbf\xbd\"}");
    assert_non_null(o);
    json_decref(o);
}

/* Which of two values would be meant?  Neither. */
static void test_duplicate_keys_refused(void **state)
{
    (void)state;
    refused(EVENT(",\"object\":\"/other\""));
    refused("{\"pid\":1,\"pid\":2}");
}

static void test_numbers(void **state)
{
    (void)state;
    json_t *o = read_str("{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                         "\"real\":1.5,\"big\":1e300,\"text\":\"3\",\"neg\":-0}");
    assert_non_null(o);
    assert_true(traceline_int(o, "max") == LLONG_MAX);
    assert_true(traceline_int(o, "min") == LLONG_MIN);
    /* not integers: read as none */
    assert_int_equal(traceline_int(o, "real"), 0);
    assert_int_equal(traceline_int(o, "big"), 0);
    assert_int_equal(traceline_int(o, "text"), 0);
    assert_int_equal(traceline_int(o, "neg"), 0);
    json_decref(o);
    /* past 64 bits, or past a double: the line is refused, never wrapped */
    refused("{\"pid\":9223372036854775808}");
    refused("{\"pid\":-9223372036854775809}");
    refused("{\"pid\":99999999999999999999999999}");
    refused("{\"ts\":1e999}");
}

/* Nesting deep enough to exhaust a recursive reader's stack. */
static void test_deep_nesting(void **state)
{
    enum { DEPTH = 100000 };
    char *line = malloc(2 * DEPTH + 16);

    (void)state;
    assert_non_null(line);
    size_t n = 0;
    n += (size_t)sprintf(line, "{\"a\":");
    for (int i = 0; i < DEPTH; i++)
        line[n++] = '[';
    for (int i = 0; i < DEPTH; i++)
        line[n++] = ']';
    line[n++] = '}';
    assert_null(traceline_read(line, n, NULL));
    free(line);
}

/* ---- the viewer: tt_parse ------------------------------------------------ */

static void test_viewer_takes_its_object(void **state)
{
    struct mv_event *e = malloc(sizeof *e);
    const char *line = EVENT(",\"message\":\"line\\none \\u001b[31m\"");

    (void)state;
    assert_non_null(e);
    assert_true(tt_parse(line, strlen(line), "/obj", NULL, e));
    assert_string_equal(e->event, "error");
    assert_true(e->failed);
    /* decoded: the viewer escapes it when it draws (describe.c) */
    assert_string_equal(e->detail, "line\none \x1b[31m");
    assert_string_equal(e->raw, line);
    free(e);
}

static void test_viewer_refuses(void **state)
{
    struct mv_event *e = malloc(sizeof *e);
    static const char *bad[] = {
        EVENT(",\"message\":\"a\\u0000b\""),
        "{\"object\":\"/obj\\u0000x\",\"event\":\"error\"}",
        EVENT(",\"object\":\"/obj\""),
        EVENT(",\"pid\":99999999999999999999"),
        "[" EVENT("") "]",
        EVENT("") "x",
    };

    (void)state;
    assert_non_null(e);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tt_parse(bad[i], strlen(bad[i]), "/obj", NULL, e))
            fail_msg("the viewer took %s", bad[i]);
    /* a line longer than the viewer keeps is not taken half */
    char *big = malloc(MV_TRACE_LINE + 64);
    assert_non_null(big);
    int n = snprintf(big, MV_TRACE_LINE + 64, "{\"object\":\"/obj\",\"message\":\"");
    memset(big + n, 'm', MV_TRACE_LINE);
    strcpy(big + n + MV_TRACE_LINE, "\"}");
    assert_false(tt_parse(big, strlen(big), "/obj", NULL, e));
    free(big);
    free(e);
}

#define CALL(expected)                                                        \
    "{\"v\":1,\"ts_ns\":5,\"pid\":9,\"prog\":\"04-open\",\"event\":\"call\","  \
    "\"object\":\"/obj\",\"step\":\"open\",\"call\":\"shm_open\",\"args\":\"x\","  \
    "\"ret\":\"-1\",\"errno\":\"ENOENT\",\"expected\":" expected "}"

/* A failed call, and one that failed as expected. */
static void test_viewer_call_detail(void **state)
{
    struct mv_event *e = malloc(sizeof *e);

    (void)state;
    assert_non_null(e);
    assert_true(tt_parse(CALL("false"), strlen(CALL("false")), "/obj", NULL, e));
    assert_string_equal(e->detail, "(x) = -1 ENOENT");
    assert_true(e->failed);
    assert_true(tt_parse(CALL("true"), strlen(CALL("true")), "/obj", NULL, e));
    assert_string_equal(e->detail, "(x) = -1 ENOENT (expected)");
    assert_false(e->failed);
    /* "expected" that is not a boolean is not true */
    assert_true(tt_parse(CALL("\"true\""), strlen(CALL("\"true\"")), "/obj", NULL, e));
    assert_true(e->failed);
    free(e);
}

/* ---- the tour: tour_trace_next ------------------------------------------ */

static void test_tour_skips_what_is_no_event(void **state)
{
    char dir[] = "/tmp/mmaplab-unit-XXXXXX", path[64], why[256];
    struct tour_trace t;
    struct tour_event e;
    struct stat made;
    static const char lines[] =
        "{\"pid\":7,\"event\":\"start\",\"prog\":\"01-create\"}\n"
        "{\"pid\":7,\"event\":\"hold\",\"message\":\"a\\u0000b\"}\n"     /* NUL */
        "{\"pid\":7,\"pid\":8,\"event\":\"hold\"}\n"                     /* twice */
        "{\"pid\":99999999999999999999,\"event\":\"hold\"}\n"            /* huge */
        "{\"pid\":\"7\",\"event\":\"hold\"}\n"                           /* a string */
        "not json\n"
        "{\"pid\":7,\"event\":\"exit\",\"status\":3,\"message\":\"\\u00e9\"}\n"
        "{\"pid\":7,\"event\":\"ex";                                     /* not whole */

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    assert_int_equal(tour_trace_open(&t, path, &made, why, sizeof why), 0);
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, lines, sizeof lines - 1), (ssize_t)(sizeof lines - 1));

    assert_int_equal(tour_trace_next(&t, &e), 1);
    assert_string_equal(e.event, "start");
    assert_string_equal(e.prog, "01-create");
    assert_int_equal(e.pid, 7);
    assert_int_equal(tour_trace_next(&t, &e), 1);
    assert_string_equal(e.event, "exit");
    assert_int_equal(e.status, 3);
    assert_string_equal(e.message, "\xc3\xa9");
    assert_int_equal(tour_trace_next(&t, &e), 0);     /* the last is not whole */

    /* once its newline is there, it is */
    assert_int_equal(write(fd, "it\"}\n", 5), 5);
    assert_int_equal(tour_trace_next(&t, &e), 1);
    assert_string_equal(e.event, "exit");
    assert_int_equal(tour_trace_next(&t, &e), 0);

    close(fd);
    tour_trace_close(&t);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_object),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_every_prefix_refused),
        cmocka_unit_test(test_escapes_decoded),
        cmocka_unit_test(test_nul_refused),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_duplicate_keys_refused),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_viewer_takes_its_object),
        cmocka_unit_test(test_viewer_refuses),
        cmocka_unit_test(test_viewer_call_detail),
        cmocka_unit_test(test_tour_skips_what_is_no_event),
    };
    return cmocka_run_group_tests_name("trace_read", tests, NULL, NULL);
}
