/* test_model.c — the viewer's model without live objects: /proc parsing
 * from fixture files (maps lines with and without "(deleted)", paths with
 * spaces, smaps blocks), the trace tail, target names, and the lines the
 * screen and --once share.  The live object tests are in
 * test_model_live.c.
 */
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "describe.h"
#include "residency.h"

static char *fixture(const char *name, size_t *n)
{
    const char *root = getenv("MMAPLAB_ROOT");
    char path[4096];
    struct stat st;

    snprintf(path, sizeof path, "%s/tests/viewer/fixtures/%s", root ? root : ".", name);
    int fd = open(path, O_RDONLY);
    if (fd == -1 || fstat(fd, &st) == -1)
        fail_msg("cannot open the fixture %s", path);
    char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
    buf[st.st_size] = '\0';
    close(fd);
    *n = (size_t)st.st_size;
    return buf;
}

struct seen {
    int n;
    struct ml_maps_line l[8];
};

static void collect(const struct ml_maps_line *l, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 8)
        s->l[s->n] = *l;
    s->n++;
}

static void maps_by_device_and_inode(void **state)
{
    size_t n;
    char *buf = fixture("maps-mixed.txt", &n);
    struct seen s = { 0 };
    (void)state;

    assert_int_equal(ps_maps_match(buf, n, makedev(0, 0x1a), 4242, "/dev/shm/obj",
                                   collect, &s), 3);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.l[0].perms, "rw-s");
    assert_false(s.l[0].deleted);
    assert_string_equal(s.l[1].perms, "r--s");
    assert_true(s.l[1].deleted);
    assert_string_equal(s.l[1].path, "/dev/shm/obj");
    assert_int_equal(s.l[1].offset, 0x1000);
    assert_int_equal(s.l[1].end - s.l[1].start, 0x4000);
    assert_string_equal(s.l[2].perms, "rw-p");   /* a private mapping counts */
    free(buf);
}

static void maps_paths_with_spaces(void **state)
{
    size_t n;
    char *buf = fixture("maps-mixed.txt", &n);
    struct seen s = { 0 };
    (void)state;

    assert_int_equal(ps_maps_match(buf, n, makedev(8, 1), 777,
                                   "/tmp/my file with spaces.dat", collect, &s), 2);
    assert_string_equal(s.l[0].path, "/tmp/my file with spaces.dat");
    assert_false(s.l[0].deleted);
    assert_string_equal(s.l[1].path, "/tmp/my file with spaces.dat");
    assert_true(s.l[1].deleted);
    free(buf);
}

static void maps_other_device_needs_the_path(void **state)
{
    size_t n;
    char *buf = fixture("maps-mixed.txt", &n);
    struct seen s = { 0 };
    (void)state;

    /* Same inode number on another device is another file... */
    assert_int_equal(ps_maps_match(buf, n, makedev(0, 0x1c), 4242, "/dev/shm/x",
                                   collect, &s), 0);
    /* ...unless the path says it is the one (stacked file systems). */
    assert_int_equal(ps_maps_match(buf, n, makedev(0, 0x1c), 4242, "/dev/shm/obj",
                                   collect, &s), 3);
    /* An inode that only starts with the same digits is not it. */
    s.n = 0;
    assert_int_equal(ps_maps_match(buf, n, makedev(0, 0x1a), 4242, NULL,
                                   collect, &s), 3);
    free(buf);
}

static void maps_empty_and_unterminated(void **state)
{
    struct seen s = { 0 };
    const char *one = "1000-2000 rw-s 00000000 00:1a 4242 /dev/shm/obj";
    (void)state;

    assert_int_equal(ps_maps_match("", 0, makedev(0, 0x1a), 4242, NULL, collect, &s), 0);
    assert_int_equal(ps_maps_match(one, strlen(one), makedev(0, 0x1a), 4242, NULL,
                                   collect, &s), 1);
}

static void smaps_blocks(void **state)
{
    size_t n;
    char *buf = fixture("smaps-two.txt", &n);
    struct mv_procs p = { 0 };
    struct mv_proc v[3];
    (void)state;

    memset(v, 0, sizeof v);
    v[0].pid = 7;
    v[0].start = 0x7f1c2a000000UL;
    v[1].pid = 7;
    v[1].start = 0x7f1c2a100000UL;
    v[2].pid = 8;                       /* another process: left alone */
    v[2].start = 0x7f1c2a000000UL;
    p.v = v;
    p.n = 3;
    ps_smaps_fill(buf, n, 7, &p);
    assert_true(v[0].smaps_ok);
    assert_int_equal(v[0].sm.size_kb, 4);
    assert_int_equal(v[0].sm.rss_kb, 4);
    assert_int_equal(v[0].sm.pss_kb, 2);      /* not Pss_Dirty */
    assert_int_equal(v[0].sm.shared_dirty_kb, 4);
    assert_int_equal(v[0].sm.private_dirty_kb, 0);
    assert_true(v[1].smaps_ok);
    assert_int_equal(v[1].sm.rss_kb, 12);
    assert_int_equal(v[1].sm.private_clean_kb, 4);
    assert_int_equal(v[1].sm.private_dirty_kb, 8);
    assert_int_equal(v[1].sm.swap_kb, 4);
    assert_false(v[2].smaps_ok);
    free(buf);
}

static void trace_lines(void **state)
{
    struct mv_event *e = malloc(sizeof *e);
    const char *ok = "{\"v\":1,\"ts_ns\":5,\"pid\":9,\"prog\":\"03-copy\",\"event\":"
                     "\"call\",\"object\":\"/obj\",\"step\":\"copy\",\"call\":\"memcpy\","
                     "\"args\":\"p, \\\"hi\\\", 3\",\"ret\":\"0x1000\",\"errno\":\"0\"}";
    (void)state;

    assert_non_null(e);
    assert_true(tt_parse(ok, strlen(ok), "/obj", NULL, e));
    assert_string_equal(e->prog, "03-copy");
    assert_string_equal(e->event, "call");
    assert_string_equal(e->step, "copy");
    assert_string_equal(e->call, "memcpy");
    assert_int_equal(e->pid, 9);
    assert_int_equal(e->ts_ns, 5);
    assert_string_equal(e->detail, "(p, \"hi\", 3) = 0x1000");
    assert_false(e->failed);
    assert_string_equal(e->raw, ok);
    assert_false(tt_parse(ok, strlen(ok), "/other", NULL, e));
    assert_true(tt_parse(ok, strlen(ok), "/other", "/obj", e));
    assert_false(tt_parse("{\"object\":\"/obj\"", 16, "/obj", NULL, e));
    assert_false(tt_parse("", 0, "/obj", NULL, e));
    free(e);
}

static void trace_tail_of_a_file(void **state)
{
    char dir[] = "/tmp/mmaplab-unit-XXXXXX", path[64], why[256];
    size_t n;
    char *buf = fixture("trace-mixed.jsonl", &n);
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    struct mv_config cfg = { .target = "/obj", .trace = path };
    struct mv_model *m = mv_model_new(&cfg, why, sizeof why);
    assert_non_null(m);
    const struct mv_snapshot *s = mv_model_snapshot(m);

    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->trace.n, 0);
    assert_non_null(strstr(s->trace.note, "no trace file yet"));

    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    mv_model_sample(m, MV_FAST);
    /* Six whole events name /obj; the junk, the broken line, the other
     * object and the unfinished last line do not count. */
    assert_int_equal(s->trace.n, 6);
    assert_string_equal(mv_trace_at(&s->trace, 0)->event, "start");
    assert_string_equal(mv_trace_at(&s->trace, 5)->event, "exit");
    const struct mv_event *e = mv_trace_at(&s->trace, 2);
    assert_string_equal(e->prog, "04-open");
    assert_true(e->failed);                       /* ENOENT */
    assert_false(mv_trace_at(&s->trace, 3)->failed);   /* expected failure */
    assert_true(mv_trace_at(&s->trace, 4)->failed);    /* an error event */

    /* The unfinished line ends: now it is an event, the newest. */
    assert_int_equal(write(fd, "\"}\n", 3), 3);
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->trace.n, 7);
    assert_string_equal(mv_trace_at(&s->trace, 6)->event, "hold");

    /* Truncated and written again: followed from the start. */
    assert_int_equal(ftruncate(fd, 0), 0);
    const char *again = "{\"v\":1,\"pid\":1,\"prog\":\"05-close\",\"event\":\"start\","
                        "\"object\":\"/obj\"}\n";
    assert_int_equal(write(fd, again, strlen(again)), (ssize_t)strlen(again));
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->trace.n, 8);
    assert_string_equal(mv_trace_at(&s->trace, 7)->prog, "05-close");

    /* More events than are kept: the oldest go. */
    for (int i = 0; i < MV_TRACE_KEEP + 5; i++)
        assert_int_equal(write(fd, again, strlen(again)), (ssize_t)strlen(again));
    mv_model_sample(m, MV_FAST);
    assert_int_equal(s->trace.n, MV_TRACE_KEEP);
    assert_int_equal(s->trace.seen, 8 + MV_TRACE_KEEP + 5);

    close(fd);
    mv_model_free(m);
    unlink(path);
    rmdir(dir);
    free(buf);
}

static void trace_off(void **state)
{
    char why[256];
    struct mv_config cfg = { .target = "/obj", .trace = "off" };
    (void)state;

    struct mv_model *m = mv_model_new(&cfg, why, sizeof why);
    assert_non_null(m);
    mv_model_sample(m, MV_FAST);
    assert_true(mv_model_snapshot(m)->trace.off);
    mv_model_free(m);
}

static void targets(void **state)
{
    char why[512];
    struct mv_config cfg = { .trace = "off" };
    struct mv_model *m;
    (void)state;

    cfg.target = "/name";
    m = mv_model_new(&cfg, why, sizeof why);
    assert_non_null(m);
    assert_int_equal(mv_model_snapshot(m)->kind, MV_SHM);
    assert_string_equal(mv_model_snapshot(m)->path, "/dev/shm/name");
    mv_model_free(m);

    cfg.target = "/tmp/some file";
    m = mv_model_new(&cfg, why, sizeof why);
    assert_non_null(m);
    assert_int_equal(mv_model_snapshot(m)->kind, MV_FILE);
    mv_model_free(m);

    cfg.target = "relative";
    m = mv_model_new(&cfg, why, sizeof why);
    assert_int_equal(mv_model_snapshot(m)->kind, MV_FILE);
    mv_model_free(m);

    cfg.target = "/name";
    cfg.force_file = true;
    m = mv_model_new(&cfg, why, sizeof why);
    assert_int_equal(mv_model_snapshot(m)->kind, MV_FILE);
    assert_string_equal(mv_model_snapshot(m)->path, "/name");
    mv_model_free(m);
    cfg.force_file = false;

    static const char *bad[] = { "/", "/.", "/..", NULL };
    for (int i = 0; bad[i]; i++) {
        cfg.target = bad[i];
        why[0] = '\0';
        if (mv_model_new(&cfg, why, sizeof why) != NULL)
            fail_msg("accepted the name '%s'", bad[i]);
        assert_true(why[0] != '\0');
    }
    char longname[300] = "/";
    memset(longname + 1, 'x', 256);
    longname[257] = '\0';
    cfg.target = longname;
    assert_null(mv_model_new(&cfg, why, sizeof why));

    setenv("MMAPLAB_NAME", "/from-env", 1);
    cfg.target = NULL;
    m = mv_model_new(&cfg, why, sizeof why);
    assert_string_equal(mv_model_snapshot(m)->target, "/from-env");
    mv_model_free(m);
    unsetenv("MMAPLAB_NAME");
    m = mv_model_new(&cfg, why, sizeof why);
    assert_string_equal(mv_model_snapshot(m)->target, "/MyFileMappingObject");
    mv_model_free(m);
}

static void hex_rows_squeeze(void **state)
{
    unsigned char bytes[4096] = { 0 }, changed[4096] = { 0 };
    struct mv_page pg = { .index = 0, .len = 4096, .valid = true,
                          .bytes = bytes, .changed = changed };
    struct hex_row rows[300];
    (void)state;

    memcpy(bytes, "Message from first process.", 28);
    size_t n = describe_hex_rows(&pg, rows, 300);
    /* The message (2 rows), the first zero row, "*", and the last row. */
    assert_int_equal(n, 5);
    assert_int_equal(rows[0].off, 0);
    assert_int_equal(rows[2].off, 32);
    assert_true(rows[3].squeezed);
    assert_int_equal(rows[4].off, 4080);
    assert_false(rows[4].squeezed);

    /* A changed row inside a squeezed run is shown. */
    changed[2000] = 1;
    n = describe_hex_rows(&pg, rows, 300);
    assert_int_equal(n, 7);
    assert_int_equal(rows[4].off, 2000 / 16 * 16);

    /* A short last page: its partial row is shown as it is. */
    memset(changed, 0, sizeof changed);
    pg.len = 40;
    n = describe_hex_rows(&pg, rows, 300);
    assert_int_equal(n, 3);
    assert_int_equal(rows[2].len, 8);
}

static void cells(void **state)
{
    uint8_t map[6] = { MV_PAGE_IN, MV_PAGE_IN, MV_PAGE_IN, MV_PAGE_OUT,
                       MV_PAGE_UNKNOWN, MV_PAGE_UNKNOWN };
    uint8_t ch[6] = { 0, 0, 0, 1, 0, 0 };
    struct mv_residency r = { .npages = 6, .map = map, .changed = ch };
    (void)state;

    assert_int_equal(describe_cell(&r, 0, 2).kind, CELL_FULL);
    assert_int_equal(describe_cell(&r, 2, 4).kind, CELL_PART);
    assert_true(describe_cell(&r, 2, 4).changed);
    assert_int_equal(describe_cell(&r, 3, 4).kind, CELL_NONE);
    assert_int_equal(describe_cell(&r, 4, 6).kind, CELL_UNKNOWN);
    assert_int_equal(describe_cell(&r, 3, 6).kind, CELL_NONE);
    assert_int_equal(describe_cell(&r, 5, 9).kind, CELL_UNKNOWN);
}

static void clean_text(void **state)
{
    char out[64];
    (void)state;

    assert_string_equal(describe_clean(out, sizeof out, "plain"), "plain");
    assert_string_equal(describe_clean(out, sizeof out, "a\x1b[2Jb"), "a?[2Jb");
    assert_string_equal(describe_clean(out, sizeof out, "caf\xc3\xa9"), "caf\xc3\xa9");
    assert_string_equal(describe_clean(out, sizeof out, "x\xc2\x9by"), "x?y");
    assert_string_equal(describe_clean(out, sizeof out, "bad\xff"), "bad?");
    assert_string_equal(describe_clean(out, 4, "abcdef"), "abc");
}

static void frames_summary_never_equal_when_hidden(void **state)
{
    static struct mv_snapshot s;
    struct mv_proc v[2];
    char line[256];
    (void)state;

    memset(v, 0, sizeof v);
    v[0].pid = 10;
    v[1].pid = 11;
    v[0].frame_state = v[1].frame_state = MV_FRAME_HIDDEN;
    v[0].frame_group = v[1].frame_group = -1;
    s.obj.tracked = true;
    s.page.index = 0;
    s.procs.v = v;
    s.procs.n = 2;
    describe_frames_summary(&s, line, sizeof line);
    assert_non_null(strstr(line, "hidden"));
    assert_null(strstr(line, "same"));

    v[0].frame_state = v[1].frame_state = MV_FRAME_PRESENT;
    v[0].pfn = v[1].pfn = 0x1234;
    v[0].frame_group = v[1].frame_group = 0;
    describe_frames_summary(&s, line, sizeof line);
    assert_non_null(strstr(line, "one frame"));

    v[1].pfn = 0x9999;
    v[1].frame_group = 1;
    describe_frames_summary(&s, line, sizeof line);
    assert_non_null(strstr(line, "2 frames"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maps_by_device_and_inode),
        cmocka_unit_test(maps_paths_with_spaces),
        cmocka_unit_test(maps_other_device_needs_the_path),
        cmocka_unit_test(maps_empty_and_unterminated),
        cmocka_unit_test(smaps_blocks),
        cmocka_unit_test(trace_lines),
        cmocka_unit_test(trace_tail_of_a_file),
        cmocka_unit_test(trace_off),
        cmocka_unit_test(targets),
        cmocka_unit_test(hex_rows_squeeze),
        cmocka_unit_test(cells),
        cmocka_unit_test(clean_text),
        cmocka_unit_test(frames_summary_never_equal_when_hidden),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
