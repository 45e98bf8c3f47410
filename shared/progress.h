/*
 * progress.h - how far a long piece of work has got, told to whoever
 * started it.
 *
 * The library never prints.  Work that may take long over a slow link
 * or a big file (sync's pushes and pulls, import, export) fills a
 * `struct progress` and hands it to the sink its caller gave; the
 * collector's meter (collector/meter.h) draws it on a terminal, and
 * nothing at all is done when there is no sink.  Reports come often (a
 * few a second during a transfer, or once a record): a sink decides
 * itself how often to draw.
 *
 * Reports come from one thread at a time, though not always the same
 * one (a transfer may run on a thread of its own); a sink needs no lock
 * as long as only this work calls it.
 */
#ifndef FB_PROGRESS_H
#define FB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* One report: where a step stands. */
struct progress {
	const char *step;       /* "sending", "receiving", "relaying",
				   "importing", "exporting" */
	const char *unit;       /* what done counts: "entries" (of the
				   journal; also when NULL), "rows", "records";
				   both marked N_(), and shown in the language
				   of messages (i18n.h) */
	uint64_t done;
	uint64_t total;         /* of them in all; 0: not known */
	uint64_t bytes;         /* moved by this step so far */
	double fraction;        /* of the step done, 0 to 1; below 0: not known */
};

typedef void (*progress_fn)(const struct progress *p, void *ctx);

/* Where reports go: fn(report, ctx); fn NULL: nowhere. */
struct progress_sink {
	progress_fn fn;
	void *ctx;
};

/* Hand p to the sink, if there is one. */
static inline void progress_report(const struct progress_sink *s,
				   const struct progress *p)
{
	if (s && s->fn)
		s->fn(p, s->ctx);
}

/* done/total as a fraction, or below 0 when total is not known. */
static inline double progress_fraction(uint64_t done, uint64_t total)
{
	return total ? (done >= total ? 1.0 : (double)done / (double)total) : -1.0;
}

#define PROGRESS_BAR       16      /* columns of a bar, inside its brackets */
#define PROGRESS_LINE_MAX  256     /* bytes of a line */

/*
 * One line of text for p, as a meter draws it, into out (NUL-ended, cut
 * at size): the step, the entries (done/total, or done), a bar, the
 * percentage, the bytes, the rate over elapsed_ms since the step began,
 * and that time:
 *
 *   sending   1200/3400 entries [#####...........]  35%   1.2 MB  48.0 kB/s 0:25
 *   receiving 800 entries       [     <=>        ]       310.0 kB  12.4 kB/s 0:25
 *
 * When the end is not known (fraction below 0) the bar holds a block at
 * a place that moves with `frame`, the count of lines drawn before.
 * The bar is left out when the line would not fit in `cols` columns.
 */
void progress_format(const struct progress *p, uint64_t elapsed_ms, unsigned long frame,
		     size_t cols, char *out, size_t size);

#endif
