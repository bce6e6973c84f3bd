/* test_pages.c — lib/pages.c: maps and smaps lines, and pagemap, kpagecount
 * and the capability check on this process's own pages.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pages.h"
#include "touch.h"

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

/* Every mapping PROCMAP_QUERY gives is the one the maps text shows. */
static void maps_query_agrees_with_text(void **state)
{
    char line[4400];
    struct ml_maps_line t, q;
    int fd, compared = 0;
    (void)state;

    /* One mapping of an unlinked file, to see "(deleted)" both ways. */
    char path[] = "/tmp/mmaplab-unit-pages-XXXXXX";
    int tfd = mkstemp(path);
    assert_true(tfd >= 0);
    assert_int_equal(ftruncate(tfd, 8192), 0);
    void *p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, tfd, 4096 * 0);
    assert_true(p != MAP_FAILED);
    unlink(path);

    fd = open("/proc/self/maps", O_RDONLY);
    assert_true(fd >= 0);
    errno = 0;
    if (ml_maps_next(fd, 0, false, false, &q) == -1 && (errno == ENOTTY || errno == EINVAL)) {
        close(fd);
        munmap(p, 8192);
        close(tfd);
        print_message("# SKIP PROCMAP_QUERY needs Linux 6.11 or later\n");
        skip();
    }
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    bool saw_deleted = false;
    while (fgets(line, sizeof line, f) != NULL) {
        assert_int_equal(ml_maps_parse(line, &t), 0);
        if (t.start >= 0xffffffffff600000UL)
            continue;                   /* [vsyscall] is not a VMA */
        assert_int_equal(ml_maps_next(fd, t.start, false, true, &q), 0);
        assert_int_equal(q.start, t.start);
        assert_int_equal(q.end, t.end);
        assert_string_equal(q.perms, t.perms);
        assert_int_equal(q.ino, t.ino);
        if (t.ino != 0) {
            assert_int_equal(q.offset, t.offset);
            assert_int_equal(q.dev_major, t.dev_major);
            assert_int_equal(q.dev_minor, t.dev_minor);
            assert_string_equal(q.path, t.path);
            assert_int_equal(q.deleted, t.deleted);
            saw_deleted = saw_deleted || q.deleted;
        }
        compared++;
    }
    fclose(f);
    assert_true(compared > 5);
    assert_true(saw_deleted);
    /* File-backed only: the next one after the unlinked file's mapping
     * (anonymous ones are skipped), and ENOENT past the last. */
    assert_int_equal(ml_maps_next(fd, (unsigned long)p, true, false, &q), 0);
    assert_int_equal(q.start, (unsigned long)p);
    assert_true(q.ino != 0);
    errno = 0;
    assert_int_equal(ml_maps_next(fd, ~0UL - 4096, true, false, &q), -1);
    assert_int_equal(errno, ENOENT);
    close(fd);
    munmap(p, 8192);
    close(tfd);
}

static void pages_any_and_open_reads(void **state)
{
    long psz = sysconf(_SC_PAGESIZE);
    struct ml_pagemap pm;
    bool any = true;
    (void)state;

    char *p = mmap(NULL, (size_t)psz * 8, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    int fd = open("/proc/self/pagemap", O_RDONLY);
    assert_true(fd >= 0);
    errno = 0;
    if (ml_pages_any(fd, (unsigned long)p, (unsigned long)p + 8 * (unsigned long)psz, &any) == -1) {
        assert_true(errno == ENOTTY || errno == EINVAL);
        print_message("# SKIP PAGEMAP_SCAN needs Linux 6.7 or later\n");
    } else {
        assert_false(any);              /* nothing touched yet */
        p[5 * psz] = 1;
        assert_int_equal(ml_pages_any(fd, (unsigned long)p, (unsigned long)p + 8 * (unsigned long)psz, &any), 0);
        assert_true(any);
        assert_int_equal(ml_pages_any(fd, (unsigned long)p, (unsigned long)p + 5 * (unsigned long)psz, &any), 0);
        assert_false(any);              /* the range ends before it */
    }
    p[0] = 1;
    assert_int_equal(ml_pagemap_read(fd, (unsigned long)p, &pm), 0);
    assert_true(pm.present);
    assert_int_equal(ml_pagemap_read(fd, (unsigned long)p + (unsigned long)psz, &pm), 0);
    assert_false(pm.present);
    if (ml_frames_visible()) {
        assert_int_equal(ml_pagemap_read(fd, (unsigned long)p, &pm), 0);
        int kfd = open("/proc/kpagecount", O_RDONLY);
        uint64_t c = 0;
        assert_true(kfd >= 0);
        assert_int_equal(ml_kpagecount_read(kfd, pm.pfn, &c), 0);
        assert_int_equal(c, 1);
        close(kfd);
    }
    close(fd);
    munmap(p, (size_t)psz * 8);
}

/* Mount points: /proc and /dev/shm are, here and in a fresh chroot. */
static void mount_points(void **state)
{
    (void)state;
    assert_true(ml_is_mount_point("/proc"));
    assert_true(ml_is_mount_point("/dev/shm"));
    assert_false(ml_is_mount_point("/proc/self"));
    assert_false(ml_is_mount_point("/dev/sh"));         /* a prefix is not a match */
    assert_false(ml_is_mount_point("/no such dir\nhere"));
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

/* A store inside the file goes through; one past its end is SIGBUS,
 * caught, at that address; and the SIGBUS handler is as it was after. */
static void touch_past_the_end(void **state)
{
    long ps = sysconf(_SC_PAGESIZE);
    char path[] = "/tmp/mmaplab-unit-touch-XXXXXX";
    int fd = mkstemp(path);
    struct sigaction before, after;
    void *fault = NULL;

    (void)state;
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(ftruncate(fd, ps), 0);
    char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(p != MAP_FAILED);
    sigaction(SIGBUS, NULL, &before);
    assert_true(ml_touch(p + 10, &fault));
    assert_null(fault);
    assert_int_equal(p[10], 1);
    assert_false(ml_touch(p + ps + 5, &fault));
    assert_ptr_equal(fault, p + ps + 5);
    assert_false(ml_touch(p + ps, NULL));
    sigaction(SIGBUS, NULL, &after);
    assert_ptr_equal((void *)after.sa_handler, (void *)before.sa_handler);
    munmap(p, 2 * ps);
    close(fd);
}

/* ml_probe has each page of a range by a store that changes no byte, and
 * stops at the first page past the object's end, with its address. */
static void probe_changes_nothing(void **state)
{
    long ps = sysconf(_SC_PAGESIZE);
    int fd = memfd_create("probe", 0);
    void *fault = NULL;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, ps + 100), 0);
    char *p = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(p != MAP_FAILED);
    assert_int_equal(pwrite(fd, "abc", 3, 7), 3);
    assert_true(ml_probe(p + 7, 2 * (size_t)ps - 7, &fault));   /* both pages of the object */
    assert_memory_equal(p + 7, "abc", 3);
    assert_int_equal(p[ps], 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_blocks * 512, 2 * ps);          /* the second page was had too */
    assert_false(ml_probe(p + ps + 1, 2 * (size_t)ps, &fault));
    assert_ptr_equal(fault, p + 2 * ps);                   /* the first page past the end */
    assert_true(ml_probe(p, 0, NULL));
    munmap(p, 3 * ps);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_plain_line),
        cmocka_unit_test(touch_past_the_end),
        cmocka_unit_test(probe_changes_nothing),
        cmocka_unit_test(maps_deleted_and_spaces),
        cmocka_unit_test(maps_anonymous),
        cmocka_unit_test(maps_refuses_junk),
        cmocka_unit_test(maps_long_path_is_cut),
        cmocka_unit_test(smaps_fields),
        cmocka_unit_test(smaps_of_own_mapping),
        cmocka_unit_test(pagemap_of_own_pages),
        cmocka_unit_test(maps_query_agrees_with_text),
        cmocka_unit_test(pages_any_and_open_reads),
        cmocka_unit_test(mount_points),
        cmocka_unit_test(capabilities),
    };
    return cmocka_run_group_tests_name("pages", tests, NULL, NULL);
}
