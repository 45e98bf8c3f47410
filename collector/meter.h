/*
 * meter.h - the progress meter of `sync`, `import` and `export`: one
 * line on standard error, redrawn in place, that says which step runs,
 * how many entries and bytes it has moved, a bar, and the rate:
 *
 *   sending   1200/3400 entries [#####...........]  35%   1.2 MB  48.0 kB/s 0:25
 *   receiving 800 entries       [     <=>        ]       310.0 kB  12.4 kB/s 0:25
 *
 * It draws only when standard error is a terminal and --quiet was not
 * given; otherwise it is silent and the command's one-line summary is
 * all there is.  The first report of a step and the first that
 * completes it are always drawn; others at most every METER_INTERVAL_MS.  The
 * command erases the line (meter_end) before it prints its summary.
 *
 * A meter is a progress sink (shared/progress.h): the library reports,
 * the meter prints the line progress_format() makes.
 */
#ifndef FB_METER_H
#define FB_METER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "progress.h"

#define METER_INTERVAL_MS  100      /* between two redraws of a step */

struct meter {
	int on;                         /* drawing at all */
	const char *step;               /* the step on the line */
	struct timespec start;          /* when the step began */
	struct timespec last;           /* when the line was last drawn */
	unsigned long frames;           /* lines drawn for the step */
	int complete;                   /* the step's last line drawn was 100% */
	int shown;                      /* a line is on the screen */
};

/*
 * Start a meter for a command: on when stderr is a terminal and quiet
 * is 0.  Returns the sink to hand to the library (or to call itself);
 * its fn is NULL when the meter is off.
 */
struct progress_sink meter_init(struct meter *m, int quiet);

/* A progress_fn: draw p if it is time to. */
void meter_report(const struct progress *p, void *ctx);

/* Erase the line, if one is shown: the summary comes next. */
void meter_end(struct meter *m);

#endif
