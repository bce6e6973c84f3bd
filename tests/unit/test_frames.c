/* test_frames.c — two pagemap entries in words: same, different, hidden
 * (frame 0 is never "equal"), absent; the bits that stay visible. */
#include "unit.h"

#include <string.h>

#include "frames.h"

static void test_same_and_different(void **state)
{
    struct ml_pagemap a = { .present = true, .file_shared = true, .pfn = 0x1234 };
    struct ml_pagemap b = a;
    char s[400];

    (void)state;
    assert_int_equal(ml_frames_compare(&a, "here", &b, "there", s, sizeof s), ML_FRAMES_SAME);
    assert_contains(s, "here and there use the SAME physical frame, 0x1234");
    b.pfn = 0x99;
    assert_int_equal(ml_frames_compare(&a, "here", &b, "there", s, sizeof s), ML_FRAMES_DIFFERENT);
    assert_contains(s, "DIFFERENT physical frames, 0x1234 and 0x99");
}

static void test_hidden_is_never_equal(void **state)
{
    struct ml_pagemap a = { .present = true, .file_shared = true };
    struct ml_pagemap b = { .present = true, .exclusive = true };
    char s[400];

    (void)state;
    assert_int_equal(ml_frames_compare(&a, "the shared view", &b, "the private view", s,
                                       sizeof s), ML_FRAMES_HIDDEN);
    assert_contains(s, "0 means hidden, never equal");
    assert_contains(s, "the shared view: frame hidden, file or shared page, mapped elsewhere too");
    assert_contains(s, "the private view: frame hidden, anonymous page, exclusively mapped");
    /* One visible, one hidden: still no comparison. */
    a.pfn = 5;
    assert_int_equal(ml_frames_compare(&a, "a", &b, "b", s, sizeof s), ML_FRAMES_HIDDEN);
}

static void test_absent(void **state)
{
    struct ml_pagemap a = { .present = true, .pfn = 7 }, b = { 0 }, c = { .swapped = true };
    char s[400];

    (void)state;
    assert_int_equal(ml_frames_compare(&a, "a", &b, "b", s, sizeof s), ML_FRAMES_ABSENT);
    assert_contains(s, "b: not in memory");
    ml_frame_describe(&c, s, sizeof s);
    assert_string_equal(s, "swapped out");
    ml_frame_describe(&a, s, sizeof s);
    assert_string_equal(s, "frame 0x7, anonymous page, mapped elsewhere too");
}

static void test_small_buffer(void **state)
{
    struct ml_pagemap a = { .present = true, .pfn = 0x1234 };
    char s[8];

    (void)state;
    ml_frames_compare(&a, "here", &a, "there", s, sizeof s);
    assert_int_equal(strlen(s), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_and_different),
        cmocka_unit_test(test_hidden_is_never_equal),
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_small_buffer),
    };
    return cmocka_run_group_tests_name("frames", tests, NULL, NULL);
}
