/* explain.c — errno names, owners, and the hint for each failure. */
#include "explain.h"
#include "mmaplab.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define E(x) { x, #x }
static const struct { int err; const char *name; } names[] = {
    E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
    E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
    E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
    E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ETXTBSY), E(EFBIG),
    E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE),
    E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ELOOP),
    E(EOVERFLOW), E(ENOTSUP), E(ETIMEDOUT), E(EOWNERDEAD),
    E(ENOTRECOVERABLE), E(EDQUOT), E(ECANCELED),
};
#undef E

const char *ml_errno_name(int err)
{
    static char other[16];

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].err == err)
            return names[i].name;
    snprintf(other, sizeof other, "E?%d", err);
    return other;
}


int ml_describe_owner(const char *object, const char *shm_dir,
                      char *out, size_t outsz)
{
    char path[4400];
    struct stat st;

    /* glibc keeps the object "/name" as the file /dev/shm/name. */
    if (object[0] == '/' && strchr(object + 1, '/') == NULL)
        snprintf(path, sizeof path, "%s%s", shm_dir ? shm_dir : "/dev/shm",
                 object);
    else
        snprintf(path, sizeof path, "%s", object);
    /* lstat: a link is described as itself, never as what it points to
     * (a link planted in /dev/shm to /etc/shadow is not "yours"). */
    if (lstat(path, &st) == -1)
        return -1;
    struct passwd *pw = getpwuid(st.st_uid);
    const char *user = pw ? pw->pw_name : "a user with no name";
    if (S_ISLNK(st.st_mode))
        snprintf(out, outsz, ML_OWNER_LINK ", made by %s (uid %ld)", user,
                 (long)st.st_uid);
    else
        snprintf(out, outsz, "%s (uid %ld), mode %04o", user,
                 (long)st.st_uid, (unsigned)(st.st_mode & 07777));
    return 0;
}

static bool is(const char *call, const char *name)
{
    return strcmp(call, name) == 0;
}

void ml_hint(const char *call, int err, const char *object, const char *owner,
             char *out, size_t outsz)
{
    const char *o = object ? object : "";
    const char *who = owner ? owner : "someone else";
    bool named = is(call, "shm_open") || is(call, "shm_unlink");
    bool link = owner && strncmp(owner, ML_OWNER_LINK, strlen(ML_OWNER_LINK)) == 0;

    switch (err) {
    case ENOENT:
        if (is(call, "shm_unlink"))
            snprintf(out, outsz, "there is no object named %s any more: it was "
                     "already removed (ls /dev/shm shows what is there)", o);
        else if (named)
            snprintf(out, outsz, "there is no shared memory object named %s; "
                     "run 01-create first (01-create -n %s)", o, o);
        else
            snprintf(out, outsz, "%s does not exist, or a directory on its path does not; "
                     "check the path", o);
        return;
    case EEXIST: {
        char mine[40];
        snprintf(mine, sizeof mine, "(uid %ld)", (long)getuid());
        if (link && named)
            snprintf(out, outsz, "/dev/shm%s is %s, not a shared memory object: "
                     "someone planted it, and shm_open never follows a link. "
                     "Leave it alone and pick your own name (-n %s-$(id -un)); "
                     "ls -l /dev/shm shows where it points", o, owner, o);
        else if (link)
            snprintf(out, outsz, "%s is %s: a file is made new (O_EXCL), never "
                     "through a link someone may have planted to send the "
                     "writes elsewhere. Remove it if it is yours (rm %s), or "
                     "choose another path", o, owner, o);
        else if (!named)
            snprintf(out, outsz, "%s already exists, owned by %s: if it is a "
                     "leftover of yours, remove it (rm %s); otherwise choose "
                     "another path", o, who, o);
        else if (owner && strstr(owner, mine))
            snprintf(out, outsz, "you made %s earlier (owned by %s) and it is "
                     "still there: a POSIX name outlives the program that made "
                     "it. Use it as it is (02-map, 03-copy), or remove it first "
                     "(05-close -n %s, or mmaplab clean)", o, owner, o);
        else
            snprintf(out, outsz, "an object named %s already exists, owned by %s. "
                     "Pick your own name, for example -n %s-$(id -un), or ask "
                     "its owner to remove it", o, who, o);
        return;
    }
    case EACCES:
    case EPERM:
        /* mmap and shm_unlink first: the object's owner is known for them
         * too, but its mode is not what refused them. */
        if (is(call, "mmap"))
            snprintf(out, outsz, "the descriptor was not opened for the access "
                     "asked for: a shared writable mapping needs O_RDWR");
        else if (is(call, "shm_unlink"))
            snprintf(out, outsz, "%s is owned by %s: in /dev/shm (a sticky "
                     "directory) only its owner can remove it, whatever its "
                     "mode. Ask them to, or use an object of your own "
                     "(-n %s-$(id -un))", o, who, o);
        else if (named || owner)
            snprintf(out, outsz, "%s is owned by %s: its mode does not let you "
                     "open it this way. Use an object of your own (-n %s-$(id -un)), "
                     "or ask its owner to remove it", o, who, o);
        else
            snprintf(out, outsz, "you lack the permission for %s here", call);
        return;
    case EINVAL:
        if (named)
            snprintf(out, outsz, "'%s' is not a valid name: one leading '/', no "
                     "other '/', 1 to 255 characters after it", o);
        else if (is(call, "mmap"))
            snprintf(out, outsz, "mmap refuses a length of 0 (an object that "
                     "was never given a size: ftruncate it first, as 01-create "
                     "does) and an offset that is not a multiple of the page size "
                     "(sysconf(_SC_PAGESIZE)): round the offset down");
        else if (is(call, "ftruncate"))
            snprintf(out, outsz, "the size is negative or larger than this file "
                     "system allows (try a smaller -s), or the descriptor is not "
                     "open for writing (ftruncate needs O_RDWR)");
        else if (is(call, "munmap"))
            snprintf(out, outsz, "the address is not page-aligned or the "
                     "length is 0: unmap exactly what mmap returned");
        else
            snprintf(out, outsz, "an argument is out of range; see man %s", call);
        return;
    case ELOOP:
        if (named)
            snprintf(out, outsz, "/dev/shm%s is %s, not a shared memory object: "
                     "shm_open never follows a link in /dev/shm, where anyone "
                     "can plant one. Pick your own name (-n %s-$(id -un)); "
                     "ls -l /dev/shm shows where it points", o,
                     link ? owner : "a symbolic link", o);
        else
            snprintf(out, outsz, "%s is %s, and this open does not follow "
                     "links (O_NOFOLLOW): one may have been planted to lead "
                     "the program elsewhere. Remove it if it is yours (rm %s), "
                     "or use another path", o, link ? owner : "a symbolic link", o);
        return;
    case ENAMETOOLONG:
        snprintf(out, outsz, "the name is too long: at most 255 characters "
                 "after the '/'");
        return;
    case EFBIG:
        snprintf(out, outsz, "the size is larger than a file can be here; try "
                 "a smaller -s");
        return;
    case ENOSPC:
    case EDQUOT:
        if (is(call, "posix_fallocate") || is(call, "fallocate"))
            snprintf(out, outsz, "the file system cannot hold that much: the "
                     "request is larger than the space it has free (df -h shows "
                     "it), and nothing was allocated; ask for less");
        else
            snprintf(out, outsz, "the file system behind the object is full (df "
                     "-h /dev/shm shows it): remove leftover objects (mmaplab "
                     "clean) or ask for less");
        return;
    case ENOMEM:
        if (is(call, "mmap"))
            ml_hint_nomem(0, out, outsz);
        else
            snprintf(out, outsz, "the system is out of memory for this request; "
                     "ask for less");
        return;
    case ENODEV:
        snprintf(out, outsz, "this kind of file cannot be mapped; map a regular "
                 "file or a shared memory object");
        return;
    case EBADF:
        snprintf(out, outsz, "that descriptor is not open in this process "
                 "(closed, or never inherited: see FD_CLOEXEC)");
        return;
    case EMFILE:
    case ENFILE:
        snprintf(out, outsz, "too many files are open (ulimit -n); close "
                 "descriptors you no longer need");
        return;
    case EOWNERDEAD:
        snprintf(out, outsz, "the previous owner of the mutex died holding it: "
                 "repair the data, then call pthread_mutex_consistent");
        return;
    case ENOTRECOVERABLE:
        snprintf(out, outsz, "the mutex was left inconsistent by a dead owner "
                 "and nobody repaired it; it can no longer be used");
        return;
    case ETIMEDOUT:
        snprintf(out, outsz, "the wait ended before the lock was free");
        return;
    default:
        snprintf(out, outsz, "see man %s for what %s means here", call,
                 ml_errno_name(err));
        return;
    }
}

unsigned long long ml_address_space(void)
{
    char line[4400];
    unsigned long long top = 0, start, end;

    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f))
        /* [vsyscall] sits in the kernel's half, above every user mapping. */
        if (sscanf(line, "%llx-%llx", &start, &end) == 2 && end > top &&
            strstr(line, "[vsyscall]") == NULL)
            top = end;
    fclose(f);
    if (top == 0)
        return 0;
    unsigned long long space = 1;
    while (space < top && space < (1ULL << 63))
        space <<= 1;
    return space;
}

void ml_hint_nomem(unsigned long long len, char *out, size_t outsz)
{
    char want[32], space_s[32], limit_s[32];
    unsigned long long space = ml_address_space();
    struct rlimit rl;
    bool limited = getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;

    ml_human_size(len, want, sizeof want);
    ml_human_size(space, space_s, sizeof space_s);
    ml_human_size(limited ? (unsigned long long)rl.rlim_cur : 0, limit_s, sizeof limit_s);
    if (len > 0 && space > 0 && len >= space)
        snprintf(out, outsz, "the view would be %s, and a process here has %s of "
                 "address space in all: no process can map an object that large "
                 "whole. Make it smaller (05-close, then 01-create -s SIZE), or "
                 "map a part of it (a length and an offset)", want, space_s);
    else if (limited)
        snprintf(out, outsz, "ulimit -v allows this process %s of address space "
                 "in all, and the mapping does not fit in what is left: map less, "
                 "or raise the limit (ulimit -v)", limit_s);
    else if (space > 0)
        snprintf(out, outsz, "no free stretch of this process's address space "
                 "(%s in all) is large enough, or the kernel refused to commit "
                 "the memory (/proc/sys/vm/overcommit_memory): map less", space_s);
    else
        snprintf(out, outsz, "no free stretch of this process's address space "
                 "is large enough, or the kernel refused to commit the memory "
                 "(/proc/sys/vm/overcommit_memory): map less");
}
