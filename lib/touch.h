/* touch.h — store a byte in a mapping and survive the SIGBUS it may raise
 * (a page past the object's end, a full tmpfs), for 09-reserve-grow.
 *
 * While the store runs, SIGBUS jumps back here instead of ending the
 * program; the handler that was there before is put back afterwards.
 */
#ifndef MMAPLAB_TOUCH_H
#define MMAPLAB_TOUCH_H

#include <stdbool.h>

/* Store one byte at addr.  True when it went through; false when it raised
 * SIGBUS, with the faulting address (the kernel's si_addr) in *fault. */
bool ml_touch(void *addr, void **fault);

#endif
