/* touch.h — store a byte in a mapping and survive the SIGBUS it may raise
 * (a page past the object's end, a full tmpfs), for 09-reserve-grow; and
 * how much room /dev/shm has, to say why a page could not be had.
 *
 * While the store runs, SIGBUS jumps back here instead of ending the
 * program; the handler that was there before is put back afterwards.
 */
#ifndef MMAPLAB_TOUCH_H
#define MMAPLAB_TOUCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Store one byte at addr.  True when it went through; false when it raised
 * SIGBUS, with the faulting address (the kernel's si_addr) in *fault. */
bool ml_touch(void *addr, void **fault);

/* Have each page of [addr, addr + n) in a shared mapping before storing
 * into it: a store that changes no byte (an atomic OR with 0) into each,
 * so that a page the tmpfs cannot give raises SIGBUS here, caught, and
 * the store to come finds its page.  (ftruncate gives an object a size,
 * not pages: on a full /dev/shm a plain store is SIGBUS, with no word.)  True when every page was had; false
 * with the faulting address in *fault. */
bool ml_probe(void *addr, size_t n, void **fault);

/* Store one byte at offset off of p, a shared view of the object fd that
 * covers that page.  A SIGBUS there is no lesson's point: it is explained
 * (another process cut the object shorter, /dev/shm is full, or no page
 * could be had), with less ("a smaller -g") as the next step, and the
 * program exits 1 (the library removes what it made). */
void ml_touch_or_stop(int fd, char *p, off_t off, const char *less);

/* /dev/shm's room now, as statvfs gives it: bytes free to this user and
 * bytes in all.  False when statvfs fails or the file system has no size
 * (then both are 0). */
bool ml_shm_room(unsigned long long *avail, unsigned long long *total);

/* The same as words for an explanation: "/dev/shm has 0 bytes free of
 * 64 KiB", or that statvfs cannot say.  Returns out. */
const char *ml_shm_room_words(char *out, size_t outsz);

/* A posix_fallocate of the object's pages failed with err (already
 * narrated): when it is ENOSPC, say that what the program needs ("the
 * mutex needs a page of /dev/shm before any process touches it") cannot be
 * had, with /dev/shm's room now; then ml_exit(ML_FAILED). */
_Noreturn void ml_stop_without_room(int err, const char *need);

#endif
