/* test_pages.c — lib/pages.c: maps and smaps lines, and pagemap, kpagecount
 * and the capability check on this process's own pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pages.h"

static void maps_plain_line(void **state)
{
    struct ml_maps_line m;
    (void)state;

    assert_int_equal(ml_maps_parse("7f1c2a000000-7f1c2a001000 rw-s 00001000 "
                                   "fd:1a 4242                       "
                                   "/dev/shm/obj\n", &m), 0);
    assert_int_equal(m.start, 0x7f1c2a000000UL);
    assert_int_equal(m.end, 0x7f1c2a001000UL);
    assert_string_equal(m.perms, "rw-s");
    assert_int_equal(m.offset, 0x1000);
    assert_int_equal(m.dev_major, 0xfd);
    assert_int_equal(m.dev_minor, 0x1a);
    assert_int_equal(m.ino, 4242);
    assert_string_equal(m.path, "/dev/shm/obj");
    assert_false(m.deleted);
}

static void maps_deleted_and_spaces(void **state)
{
    struct ml_maps_line m;
    (void)state;

    assert_int_equal(ml_maps_parse("7f00-8f00 r--s 00000000 08:01 777   "
                                   "/tmp/a file  with spaces (deleted)\n", &m), 0);
    assert_string_equal(m.path, "/tmp/a file  with spaces");
    assert_true(m.deleted);
    /* "(deleted)" inside a name is part of the name. */
    assert_int_equal(ml_maps_parse("7f00-8f00 r--s 00000000 08:01 777 "
                                   "/tmp/x (deleted) y", &m), 0);
    assert_string_equal(m.path, "/tmp/x (deleted) y");
    assert_false(m.deleted);
}

static void maps_anonymous(void **state)
{
    struct ml_maps_line m;
    (void)state;

    assert_int_equal(ml_maps_parse("7ffd3b9e4000-7ffd3b9e8000 rw-p 00000000 "
                                   "00:00 0\n", &m), 0);
    assert_string_equal(m.path, "");
    assert_int_equal(m.ino, 0);
    assert_int_equal(ml_maps_parse("ffffffffff600000-ffffffffff601000 --xp "
                                   "00000000 00:00 0   [vsyscall]", &m), 0);
    assert_string_equal(m.path, "[vsyscall]");
    assert_int_equal(m.start, 0xffffffffff600000UL);
}

static void maps_refuses_junk(void **state)
{
    struct ml_maps_line m;
    static const char *bad[] = {
        "", "\n", "hello world", "Rss:   4 kB",
        "7f00 rw-s 00000000 00:1a 1 /x",              /* no end */
        "8f00-7f00 rw-s 00000000 00:1a 1 /x",         /* end before start */
        "7f00-8f00 rw-s 00000000 00:1a /x",           /* no inode */
        "7f00-8f00 rw 00000000 00:1a 1 /x",           /* short perms */
        "7f00-8f00 rw-s 00000000 001a 1 /x",          /* no colon */
        "7f00-8f00 rw-s 00000000 00:1a 12x /x",       /* inode not a number */
        "10000000000000000-10000000000000001 rw-s 0 0:0 0", /* > 64 bits */
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (ml_maps_parse(bad[i], &m) != -1)
            fail_msg("accepted '%s'", bad[i]);
    }
}

static void maps_long_path_is_cut(void **state)
{
    struct ml_maps_line m;
    size_t n = 6000;
    char *line = malloc(n + 64);
    (void)state;

    assert_non_null(line);
    int l = snprintf(line, 64, "1000-2000 rw-s 00000000 00:1a 9 /");
    memset(line + l, 'a', n);
    line[l + (int)n] = '\0';
    assert_int_equal(ml_maps_parse(line, &m), 0);
    assert_int_equal(strlen(m.path), sizeof m.path - 1);
    free(line);
}

static void smaps_fields(void **state)
{
    struct ml_smaps s = { 0 };
    (void)state;

    assert_int_equal(ml_smaps_field("Rss:                   8 kB\n", &s), 1);
    assert_int_equal(ml_smaps_field("Pss:                   3 kB", &s), 1);
    assert_int_equal(ml_smaps_field("Shared_Dirty:          4 kB", &s), 1);
    assert_int_equal(ml_smaps_field("Private_Clean:         2 kB", &s), 1);
    assert_int_equal(ml_smaps_field("Pss_Dirty:             9 kB", &s), 1);
    assert_int_equal(ml_smaps_field("VmFlags: rd wr sh mr", &s), 1);
    assert_int_equal(ml_smaps_field("THPeligible:    0", &s), 1);
    assert_int_equal(s.rss_kb, 8);
    assert_int_equal(s.pss_kb, 3);
    assert_int_equal(s.shared_dirty_kb, 4);
    assert_int_equal(s.private_clean_kb, 2);
    /* Pss_Dirty is not Pss. */
    assert_int_equal(s.pss_kb, 3);
    assert_int_equal(ml_smaps_field("7f00-8f00 rw-s 00000000 00:1a 1 /x", &s), 0);
    /* A line without a colon is no field, even when the next one has one. */
    assert_int_equal(ml_smaps_field("garbage\nRss: 4 kB", &s), 0);
    assert_int_equal(ml_smaps_field("", &s), 0);
}

static void smaps_of_own_mapping(void **state)
{
    long psz = sysconf(_SC_PAGESIZE);
    struct ml_smaps s;
    struct ml_maps_line m;
    (void)state;

    /* Shared: a private anonymous mapping could merge with its neighbour. */
    char *p = mmap(NULL, (size_t)psz * 4, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    p[0] = 1;
    p[2 * psz] = 1;
    assert_int_equal(ml_smaps_at(0, (unsigned long)p + 10, &s, &m), 0);
    assert_int_equal(m.start, (unsigned long)p);
    assert_int_equal(s.size_kb, psz * 4 / 1024);
    assert_int_equal(s.rss_kb, psz * 2 / 1024);
    assert_int_equal(s.private_dirty_kb, psz * 2 / 1024);
    munmap(p, (size_t)psz * 4);
    errno = 0;
    assert_int_equal(ml_smaps_at(0, (unsigned long)p, &s, NULL), -1);
    assert_int_equal(errno, ENOENT);
}

static void pagemap_of_own_pages(void **state)
{
    long psz = sysconf(_SC_PAGESIZE);
    struct ml_pagemap pm;
    (void)state;

    char *p = mmap(NULL, (size_t)psz * 2, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    p[0] = 1;
    assert_int_equal(ml_pagemap_at(0, (unsigned long)p, &pm), 0);
    assert_true(pm.present);
    assert_true(pm.exclusive);
    if (ml_frames_visible()) {
        uint64_t count = 0;
        assert_true(pm.pfn != 0);
        assert_int_equal(ml_kpagecount(pm.pfn, &count), 0);
        assert_int_equal(count, 1);
    } else {
        assert_true(pm.pfn == 0);       /* hidden, not "frame 0" */
    }
    /* Reading the entry of an untouched page does not fault it in. */
    assert_int_equal(ml_pagemap_at(0, (unsigned long)p + (unsigned long)psz, &pm), 0);
    assert_false(pm.present);
    assert_int_equal(pm.pfn, 0);
    assert_int_equal(ml_pagemap_at(0, (unsigned long)p + (unsigned long)psz, &pm), 0);
    assert_false(pm.present);
    munmap(p, (size_t)psz * 2);
}

static void capabilities(void **state)
{
    char line[256];
    unsigned long long eff = 0;
    (void)state;

    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL)
        sscanf(line, "CapEff: %llx", &eff);
    fclose(f);
    assert_int_equal(ml_frames_visible(), (eff >> 21) & 1);
    assert_int_equal(ml_has_cap(3), (eff >> 3) & 1);
    assert_false(ml_has_cap(-1));
    assert_false(ml_has_cap(64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_plain_line),
        cmocka_unit_test(maps_deleted_and_spaces),
        cmocka_unit_test(maps_anonymous),
        cmocka_unit_test(maps_refuses_junk),
        cmocka_unit_test(maps_long_path_is_cut),
        cmocka_unit_test(smaps_fields),
        cmocka_unit_test(smaps_of_own_mapping),
        cmocka_unit_test(pagemap_of_own_pages),
        cmocka_unit_test(capabilities),
    };
    return cmocka_run_group_tests_name("pages", tests, NULL, NULL);
}
