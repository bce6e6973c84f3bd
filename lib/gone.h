/* gone.h — a shared memory name removed while a program held it open
 * (05-close or shm_unlink from elsewhere): look, and say what that means.
 * For 02-04, which hold the object while the student works elsewhere.
 */
#ifndef MMAPLAB_GONE_H
#define MMAPLAB_GONE_H

#include <stdbool.h>
#include <sys/stat.h>

/* Has the name of the object open on fd been removed (st_nlink 0)?  A look
 * for the narration, not a step of the lesson: not announced, so --step
 * (and the tour) do not stop at it.  *now gets what fstat said; when fstat
 * fails, the answer is false (say nothing of a removal). */
bool ml_name_removed(int fd, struct stat *now);

/* Say that name was removed while this program held it, and whether its
 * memory is freed now (no process maps it or holds it open: /proc looked
 * at) or stays for those that do.  now: ml_name_removed's. */
void ml_say_name_removed(const char *name, const struct stat *now);

#endif
