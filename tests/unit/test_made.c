/* test_made.c — what a run made is taken back at exit, by its maker only,
 * unless the run said it was done with it, and only while the name still
 * leads to what it made. */
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "made.h"

static char dir[] = "/tmp/mmaplab-made.XXXXXX";

/* Run fn in a child that exits normally; return its exit status. */
static int in_child(void (*fn)(void))
{
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        fn();
        exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WEXITSTATUS(status);
}

static char file[4200], shm[64];

static void make_file(void)
{
    close(open(file, O_CREAT | O_WRONLY, 0600));
    ml_made_file(file);
}

static void make_file_done(void)
{
    make_file();
    ml_made_done();
}

static void make_shm(void)
{
    close(shm_open(shm, O_CREAT | O_RDWR, 0600));
    ml_made_shm(shm);
}

/* The maker forks a child that exits: the child must not take it back. */
static void make_file_then_fork(void)
{
    make_file();
    pid_t pid = fork();
    if (pid == 0)
        exit(0);
    waitpid(pid, NULL, 0);
    if (access(file, F_OK) != 0)
        exit(3);                      /* the child removed it */
    ml_made_done();
    unlink(file);
}

/* The file is swapped for a link (someone else's, in a directory others
 * can write) before exit: the link is not the run's to remove. */
static void make_file_then_swapped(void)
{
    make_file();
    if (unlink(file) != 0 || symlink("/nonexistent-target", file) != 0)
        exit(3);
}

/* ... and for another file. */
static void make_file_then_replaced(void)
{
    char other[4300];

    make_file();
    snprintf(other, sizeof other, "%s.other", file);
    close(open(other, O_CREAT | O_WRONLY, 0600));
    if (rename(other, file) != 0)
        exit(3);
}

static void test_swapped_left_alone(void **state)
{
    struct stat st;

    (void)state;
    assert_int_equal(in_child(make_file_then_swapped), 0);
    assert_int_equal(lstat(file, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    unlink(file);
    assert_int_equal(in_child(make_file_then_replaced), 0);
    assert_int_equal(lstat(file, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    unlink(file);
}

static void test_file_taken_back(void **state)
{
    (void)state;
    assert_int_equal(in_child(make_file), 0);
    assert_int_not_equal(access(file, F_OK), 0);
}

static void test_done_keeps_it(void **state)
{
    (void)state;
    assert_int_equal(in_child(make_file_done), 0);
    assert_int_equal(access(file, F_OK), 0);
    unlink(file);
}

static void test_shm_taken_back(void **state)
{
    char path[80];

    (void)state;
    assert_int_equal(in_child(make_shm), 0);
    snprintf(path, sizeof path, "/dev/shm%s", shm);
    assert_int_not_equal(access(path, F_OK), 0);
}

static void test_not_by_a_forked_child(void **state)
{
    (void)state;
    assert_int_equal(in_child(make_file_then_fork), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_taken_back),
        cmocka_unit_test(test_done_keeps_it),
        cmocka_unit_test(test_shm_taken_back),
        cmocka_unit_test(test_not_by_a_forked_child),
        cmocka_unit_test(test_swapped_left_alone),
    };
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(file, sizeof file, "%s/made", dir);
    snprintf(shm, sizeof shm, "/mmaplab-made-%ld", (long)getpid());
    int r = cmocka_run_group_tests_name("made", tests, NULL, NULL);
    unlink(file);
    shm_unlink(shm);
    rmdir(dir);
    return r;
}
