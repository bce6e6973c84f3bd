/* usage.h — a usage error, said the same way by mmapview and the tour. */
#ifndef MMAPVIEW_USAGE_H
#define MMAPVIEW_USAGE_H

/* The program's name in messages (main sets it first). */
void usage_name(const char *prog);
/* "PROG: " fmt (with arg), then where help is; exit status 2. */
_Noreturn void usage_error(const char *fmt, const char *arg);

#endif
