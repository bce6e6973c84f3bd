/* gone.c — a name removed while the program held it; see gone.h. */
#include "gone.h"
#include "mmaplab.h"
#include "pages.h"

bool ml_name_removed(int fd, struct stat *now)
{
    if (fstat(fd, now) == -1)
        return false;
    return now->st_nlink == 0;
}

void ml_say_name_removed(const char *name, const struct stat *now)
{
    struct ml_users u;

    ml_say("st_nlink was 0: %s was removed while this program held (05-close or shm_unlink), "
           "so no process can open it by that name any more; the object lived on because "
           "this process still used it", name);
    if (ml_users_of(now->st_dev, now->st_ino, &u) == 0 && u.mappers + u.holders == 0)
        ml_say("no other process maps it or holds it open: its memory, and what it held, "
               "is freed now");
    else
        ml_say("another process still maps it or holds it open: its memory stays until they "
               "let go, and only they can read it");
}
