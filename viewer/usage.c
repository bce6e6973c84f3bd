/* usage.c — usage errors (usage.h). */
#include "usage.h"

#include <stdio.h>
#include <stdlib.h>

static const char *g_prog = "mmapview";

void usage_name(const char *prog)
{
    g_prog = prog;
}

_Noreturn void usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", g_prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s: see %s --help\n", g_prog, g_prog);
    exit(2);
}
