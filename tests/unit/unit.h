/* unit.h — what every unit test includes: cmocka (which needs these
 * headers first, in this order) and the string checks cmocka lacks. */
#ifndef MMAPLAB_UNIT_H
#define MMAPLAB_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

/* Fails, showing both strings, unless needle is in hay. */
#define assert_contains(hay, needle)                                         \
    do {                                                                     \
        const char *h_ = (hay), *n_ = (needle);                              \
        if (strstr(h_, n_) == NULL)                                          \
            fail_msg("expected \"%s\" in \"%s\"", n_, h_);                   \
    } while (0)

/* Fails, showing both strings, if needle is in hay. */
#define assert_lacks(hay, needle)                                            \
    do {                                                                     \
        const char *h_ = (hay), *n_ = (needle);                              \
        if (strstr(h_, n_) != NULL)                                          \
            fail_msg("did not expect \"%s\" in \"%s\"", n_, h_);             \
    } while (0)

#endif
