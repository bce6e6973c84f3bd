/* explain.h — errors a student can act on: the errno's name and text, and
 * a hint that says what to do next, chosen by the call that failed.
 */
#ifndef MMAPLAB_EXPLAIN_H
#define MMAPLAB_EXPLAIN_H

#include <stddef.h>
#include <sys/types.h>

/* "ENOENT" for ENOENT; "E?" plus the number for one it does not know. */
const char *ml_errno_name(int err);

/* How ml_describe_owner's text starts when the name is a symbolic link. */
#define ML_OWNER_LINK "a symbolic link"

/* "alice (uid 1000), mode 0600" for the object behind a shared memory
 * name (looked up in /dev/shm) or a file path; returns -1 when it cannot be
 * looked at.  A link is not followed: it is "a symbolic link, made by
 * alice (uid 1000)".  shm_dir overrides /dev/shm (tests). */
int ml_describe_owner(const char *object, const char *shm_dir,
                      char *out, size_t outsz);

/* The hint for call failing with err on object: one or two sentences that
 * say what it means here and what to do next.  owner is what
 * ml_describe_owner said, or NULL; a link (ML_OWNER_LINK) is named as such,
 * never taken for an object of the user's own. */
void ml_hint(const char *call, int err, const char *object, const char *owner,
             char *out, size_t outsz);

/* The size of a process's address space here: the power of two above its
 * highest mapping (128 TiB on x86-64 with 4-level page tables), or 0. */
unsigned long long ml_address_space(void);

/* The hint for an mmap of len bytes (0: not known) that failed with ENOMEM:
 * larger than the whole address space, past ulimit -v when one is set, or
 * no room or no commit. */
void ml_hint_nomem(unsigned long long len, char *out, size_t outsz);

#endif
