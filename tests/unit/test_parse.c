/* test_parse.c — the input rules of the common options (README.md):
 * object names (each rule has its own message), sizes (every suffix form,
 * the refusals, off_t's limit) and counts.
 */
#include "unit.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "parse.h"

/* ---- names -------------------------------------------------------------- */

static void name_accepted(const char *name)
{
    char why[600] = "untouched";

    if (ml_check_name(name, why, sizeof why) != 0)
        fail_msg("name '%s' refused: %s", name, why);
}

/* Refused, with a message that contains each of the given phrases. */
static void name_refused(const char *name, const char *phrase1,
                         const char *phrase2)
{
    char why[600] = "";

    if (ml_check_name(name, why, sizeof why) != -1)
        fail_msg("name '%.80s' accepted", name);
    assert_contains(why, phrase1);
    if (phrase2)
        assert_contains(why, phrase2);
}

static void test_name_good(void **state)
{
    char longest[258];

    (void)state;
    name_accepted("/MyFileMappingObject");
    name_accepted("/a");
    name_accepted("/MyFileMappingObject-alice");
    name_accepted("/.hidden");            /* only "/." and "/.." are refused */
    name_accepted("/...");
    name_accepted("/a.b");
    name_accepted("/with space");
    name_accepted("/caf\xc3\xa9");
    longest[0] = '/';
    memset(longest + 1, 'x', 255);
    longest[256] = '\0';
    name_accepted(longest);
}

static void test_name_leading_slash(void **state)
{
    (void)state;
    name_refused("MyFileMappingObject", "must begin with '/'",
                 "'MyFileMappingObject'");
    name_refused("", "must begin with '/'", NULL);
    name_refused("a/b", "must begin with '/'", NULL);
    name_refused(" /x", "must begin with '/'", NULL);
    /* The rule comes with an example of a good name. */
    name_refused("x", "/MyFileMappingObject", NULL);
}

static void test_name_empty_after_slash(void **state)
{
    (void)state;
    name_refused("/", "nothing after the '/'", "1 to 255");
}

static void test_name_other_slash(void **state)
{
    (void)state;
    name_refused("/a/b", "has a '/' after the first character", "'/a/b'");
    name_refused("/a/", "has a '/' after the first character", NULL);
    name_refused("//", "has a '/' after the first character", NULL);
    name_refused("/dev/shm/x", "exactly one '/'", NULL);
}

static void test_name_too_long(void **state)
{
    char name[400];

    (void)state;
    name[0] = '/';
    memset(name + 1, 'y', 256);
    name[257] = '\0';
    name_refused(name, "256 characters", "the limit is 255");
    memset(name + 1, 'y', 300);
    name[301] = '\0';
    name_refused(name, "300 characters", "limit is 255");
    /* Characters are counted as bytes, as the kernel counts them. */
    name[0] = '/';
    for (int i = 0; i < 128; i++)
        memcpy(name + 1 + 2 * i, "\xc3\xa9", 2);
    name[257] = '\0';
    name_refused(name, "256 characters", "255");
}

static void test_name_dot_dotdot(void **state)
{
    (void)state;
    name_refused("/.", "'/.' cannot be a name", "directories");
    name_refused("/..", "'/..' cannot be a name", "directories");
}

static void test_name_rule_order(void **state)
{
    char name[400];

    (void)state;
    /* A long name with a slash in it: the slash rule is the one reported. */
    name[0] = '/';
    memset(name + 1, 'z', 299);
    name[150] = '/';
    name[300] = '\0';
    name_refused(name, "after the first character", NULL);
    char why[600];
    assert_int_equal(ml_check_name(name, why, sizeof why), -1);
    assert_lacks(why, "limit is 255");
}

static void test_name_small_why_buffer(void **state)
{
    char why[8];

    (void)state;
    memset(why, '#', sizeof why);
    assert_int_equal(ml_check_name("nope", why, 5), -1);
    assert_int_equal(why[4], '\0');          /* truncated, terminated */
    assert_int_equal(why[5], '#');           /* and nothing past whysz */
}

/* ---- sizes -------------------------------------------------------------- */

static off_t size_ok(const char *text)
{
    off_t v = -12345;
    char why[600] = "";

    if (ml_parse_size(text, &v, why, sizeof why) != 0)
        fail_msg("size '%s' refused: %s", text, why);
    return v;
}

static void size_refused(const char *text, const char *phrase)
{
    off_t v = -12345;
    char why[600] = "";

    if (ml_parse_size(text, &v, why, sizeof why) != -1)
        fail_msg("size '%s' accepted as %lld", text, (long long)v);
    assert_int_equal(v, -12345);            /* *out untouched on refusal */
    assert_contains(why, phrase);
}

static void test_size_plain(void **state)
{
    (void)state;
    assert_int_equal(size_ok("1"), 1);
    assert_int_equal(size_ok("256"), 256);
    assert_int_equal(size_ok("4096"), 4096);
    assert_int_equal(size_ok("007"), 7);
}

static void test_size_suffixes(void **state)
{
    (void)state;
    /* Bytes */
    assert_int_equal(size_ok("100B"), 100);
    assert_int_equal(size_ok("100b"), 100);
    /* k, either case, optional B or iB, in any case */
    assert_int_equal(size_ok("4k"), 4096);
    assert_int_equal(size_ok("4K"), 4096);
    assert_int_equal(size_ok("4kB"), 4096);
    assert_int_equal(size_ok("4kb"), 4096);
    assert_int_equal(size_ok("4KB"), 4096);
    assert_int_equal(size_ok("4KiB"), 4096);
    assert_int_equal(size_ok("4kib"), 4096);
    assert_int_equal(size_ok("4kiB"), 4096);
    /* M and G */
    assert_int_equal(size_ok("1M"), 1048576);
    assert_int_equal(size_ok("1m"), 1048576);
    assert_int_equal(size_ok("3MB"), 3 * 1048576);
    assert_int_equal(size_ok("2MiB"), 2 * 1048576);
    assert_int_equal(size_ok("1G"), 1073741824LL);
    assert_int_equal(size_ok("1g"), 1073741824LL);
    assert_int_equal(size_ok("5GiB"), 5 * 1073741824LL);
    assert_int_equal(size_ok("5gb"), 5 * 1073741824LL);
}

static void test_size_empty(void **state)
{
    (void)state;
    size_refused("", "empty");
}

static void test_size_zero(void **state)
{
    (void)state;
    size_refused("0", "zero");
    size_refused("0k", "zero");
    size_refused("000", "zero");
    size_refused("0B", "zero");
    size_refused("0G", "zero");
}

static void test_size_negative(void **state)
{
    (void)state;
    size_refused("-1", "negative");
    size_refused("-4k", "negative");
    size_refused("-0", "negative");
    size_refused("-", "negative");
}

static void test_size_not_a_number(void **state)
{
    (void)state;
    size_refused("abc", "not a decimal number");
    size_refused("k", "not a decimal number");
    size_refused("B", "not a decimal number");
    size_refused(" 4k", "not a decimal number");
    size_refused("+4", "not a decimal number");
    size_refused("0x100", "unknown ending 'x100'");
}

static void test_size_unknown_suffix(void **state)
{
    (void)state;
    size_refused("1.5k", "unknown ending '.5k'");
    size_refused("4 k", "unknown ending ' k'");
    size_refused("4k ", "unknown ending 'k '");
    size_refused("4T", "unknown ending 'T'");
    size_refused("4kk", "unknown ending 'kk'");
    size_refused("4Ki", "unknown ending 'Ki'");
    size_refused("4kiBB", "unknown ending");
    size_refused("4Bk", "unknown ending");
    size_refused("4iB", "unknown ending");
    size_refused("12abc", "unknown ending 'abc'");
    /* The message says what is accepted. */
    size_refused("4x", "k, M or G");
}

static void test_size_off_t_limit(void **state)
{
    char why[600];
    off_t v;

    (void)state;
    assert_int_equal(sizeof(off_t), 8);
    /* The last whole page below the largest off_t, and one byte more: an
     * object's pages must be countable without overflow. */
    long long most = INT64_MAX / sysconf(_SC_PAGESIZE) * sysconf(_SC_PAGESIZE);
    char text[32];
    snprintf(text, sizeof text, "%lld", most);
    assert_true(size_ok(text) == most);
    snprintf(text, sizeof text, "%lld", most + 1);
    size_refused(text, "past the largest file offset");
    size_refused("9223372036854775000", "in whole pages");
    size_refused("9223372036854775807", "past the largest file offset");
    size_refused("9223372036854775808", "past the largest file offset");
    size_refused("18446744073709551615", "off_t");
    size_refused("18446744073709551616", "off_t");
    size_refused("99999999999999999999999999999999", "past the largest");
    /* With a suffix: the last multiple that fits, and the first that does not. */
    snprintf(text, sizeof text, "%lldk", most / 1024);
    assert_true(size_ok(text) == most);
    snprintf(text, sizeof text, "%lldk", most / 1024 + 1);
    size_refused(text, "past the largest");
    assert_true(size_ok("8796093022207M") == 8796093022207LL << 20);
    size_refused("8796093022208M", "past the largest");
    assert_true(size_ok("8589934591G") == 8589934591LL << 30);
    size_refused("8589934592G", "past the largest");
    size_refused("8589934592GiB", "past the largest");
    /* The message gives the limit. */
    assert_int_equal(ml_parse_size("8589934592G", &v, why, sizeof why), -1);
    assert_contains(why, "9223372036854775807");
    /* Huge with a bad suffix: the suffix is the problem to report. */
    size_refused("99999999999999999999999q", "unknown ending 'q'");
}

/* ---- counts ------------------------------------------------------------- */

static void test_count(void **state)
{
    long long v = -7;
    char why[200];

    (void)state;
    assert_int_equal(ml_parse_count("0", 10, &v, why, sizeof why), 0);
    assert_int_equal(v, 0);
    assert_int_equal(ml_parse_count("10", 10, &v, why, sizeof why), 0);
    assert_int_equal(v, 10);
    assert_int_equal(ml_parse_count("11", 10, &v, why, sizeof why), -1);
    assert_contains(why, "too large: at most 10");
    assert_int_equal(ml_parse_count("", 10, &v, why, sizeof why), -1);
    assert_contains(why, "not a whole number");
    assert_int_equal(ml_parse_count("-1", 10, &v, why, sizeof why), -1);
    assert_contains(why, "not a whole number");
    assert_int_equal(ml_parse_count("3x", 10, &v, why, sizeof why), -1);
    assert_contains(why, "not a whole number (0 to 10)");
    assert_int_equal(ml_parse_count(" 3", 10, &v, why, sizeof why), -1);
    assert_int_equal(ml_parse_count("5", 4, &v, why, sizeof why), -1);
    assert_contains(why, "at most 4");
    assert_int_equal(ml_parse_count("1", 0, &v, why, sizeof why), -1);
    assert_contains(why, "at most 0");
    assert_int_equal(ml_parse_count("99", 98, &v, why, sizeof why), -1);
    assert_int_equal(v, 10);                /* unchanged by the refusals */
}

static void test_count_large(void **state)
{
    long long v = -7;
    char why[200];

    (void)state;
    assert_int_equal(ml_parse_count("9223372036854775807", LLONG_MAX, &v,
                                    why, sizeof why), 0);
    assert_true(v == LLONG_MAX);
    assert_int_equal(ml_parse_count("9223372036854775808", LLONG_MAX, &v,
                                    why, sizeof why), -1);
    assert_contains(why, "too large");
    /* Numbers whose tenfold wraps around 2^64 must not come back small. */
    v = -7;
    assert_int_equal(ml_parse_count("18446744073709551620", LLONG_MAX, &v,
                                    why, sizeof why), -1);
    assert_int_equal(v, -7);
    assert_int_equal(ml_parse_count("36893488147419103232", LLONG_MAX, &v,
                                    why, sizeof why), -1);
    assert_int_equal(ml_parse_count("99999999999999999999999", LLONG_MAX, &v,
                                    why, sizeof why), -1);
    assert_contains(why, "too large");
    assert_int_equal(v, -7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_good),
        cmocka_unit_test(test_name_leading_slash),
        cmocka_unit_test(test_name_empty_after_slash),
        cmocka_unit_test(test_name_other_slash),
        cmocka_unit_test(test_name_too_long),
        cmocka_unit_test(test_name_dot_dotdot),
        cmocka_unit_test(test_name_rule_order),
        cmocka_unit_test(test_name_small_why_buffer),
        cmocka_unit_test(test_size_plain),
        cmocka_unit_test(test_size_suffixes),
        cmocka_unit_test(test_size_empty),
        cmocka_unit_test(test_size_zero),
        cmocka_unit_test(test_size_negative),
        cmocka_unit_test(test_size_not_a_number),
        cmocka_unit_test(test_size_unknown_suffix),
        cmocka_unit_test(test_size_off_t_limit),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_count_large),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
