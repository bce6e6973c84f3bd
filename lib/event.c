/* event.c — building one trace event; see event.h. */
#include "event.h"
#include "json.h"

#include <string.h>

static void add(struct trace_event *e, const char *s, size_t n)
{
    /* Keep room for the closing "}\n". */
    if (e->overflow || e->len + n + 2 >= sizeof e->buf) {
        e->overflow = true;
        return;
    }
    memcpy(e->buf + e->len, s, n);
    e->len += n;
}

static void add_s(struct trace_event *e, const char *s)
{
    add(e, s, strlen(s));
}

/* Decimal without snprintf (signal safety). */
static void add_ll(struct trace_event *e, long long v)
{
    char tmp[24];
    int i = sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        tmp[--i] = '-';
    add(e, tmp + i, sizeof tmp - (size_t)i);
}

static void add_key(struct trace_event *e, const char *key)
{
    add_s(e, e->len > 1 ? ",\"" : "\"");
    add_s(e, key);
    add_s(e, "\":");
}

void trace_str(struct trace_event *e, const char *key, const char *val)
{
    char q[TRACE_STR_MAX * 6 + 16];

    add_key(e, key);
    if (val == NULL) {
        add_s(e, "null");
        return;
    }
    add(e, q, json_quote(q, sizeof q, val, strlen(val), TRACE_STR_MAX, NULL));
}

void trace_int(struct trace_event *e, const char *key, long long val)
{
    add_key(e, key);
    add_ll(e, val);
}

void trace_bool(struct trace_event *e, const char *key, bool val)
{
    add_key(e, key);
    add_s(e, val ? "true" : "false");
}

void trace_event_start(struct trace_event *e, long long ts_ns, long long pid,
                       const char *prog, const char *event, const char *object)
{
    e->len = 0;
    e->overflow = false;
    e->ts_ns = ts_ns;
    e->pid = pid;
    e->prog = prog;
    add_s(e, "{");
    trace_int(e, "v", TRACE_VERSION);
    trace_int(e, "ts_ns", ts_ns);
    trace_int(e, "pid", pid);
    trace_str(e, "prog", prog);
    trace_str(e, "event", event);
    trace_str(e, "object", object ? object : "");
}

size_t trace_event_end(struct trace_event *e)
{
    if (e->overflow) {
        trace_event_start(e, e->ts_ns, e->pid, e->prog, "error", "");
        trace_str(e, "message", "trace event too large, dropped");
    }
    memcpy(e->buf + e->len, "}\n", 2);
    return e->len + 2;
}
