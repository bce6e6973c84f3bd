/* clock.h — the viewer's and the tour's clocks. */
#ifndef MMAPVIEW_CLOCK_H
#define MMAPVIEW_CLOCK_H

/* Milliseconds since an arbitrary start (CLOCK_MONOTONIC): for intervals. */
double mv_now_ms(void);
/* Nanoseconds since the epoch (CLOCK_REALTIME): to compare with the
 * trace's ts_ns. */
long long mv_realtime_ns(void);

#endif
