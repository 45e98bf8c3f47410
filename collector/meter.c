/* meter.c - the progress meter on a terminal's standard error (meter.h). */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "meter.h"

#define METER_COLS      80      /* when the terminal does not say */

static uint64_t ms_between(const struct timespec *a, const struct timespec *b)
{
	int64_t ms = (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
		     (b->tv_nsec - a->tv_nsec) / 1000000;

	return ms > 0 ? (uint64_t)ms : 0;
}

static size_t term_cols(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return METER_COLS;
}

struct progress_sink meter_init(struct meter *m, int quiet)
{
	struct progress_sink s = { meter_report, m };

	memset(m, 0, sizeof(*m));
	m->on = !quiet && isatty(STDERR_FILENO);
	/* Off: no sink at all, so that the library does no work for it. */
	if (!m->on)
		s.fn = NULL;
	return s;
}

void meter_report(const struct progress *p, void *ctx)
{
	struct meter *m = ctx;
	char line[PROGRESS_LINE_MAX];
	struct timespec now;
	int new_step, complete;

	if (!m->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	new_step = m->step != p->step;
	complete = (p->total && p->done >= p->total) || p->fraction >= 1.0;
	if (new_step) {
		m->step = p->step;
		m->start = now;
		m->frames = 0;
		m->complete = 0;
	} else if ((!complete || m->complete) &&
		   ms_between(&m->last, &now) < METER_INTERVAL_MS) {
		return;
	}
	m->complete = complete;
	progress_format(p, ms_between(&m->start, &now), m->frames, term_cols(), line, sizeof(line));
	/* Back to the start of the line, the line, and clear what is left
	 * of a longer one before it. */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	m->last = now;
	m->frames++;
	m->shown = 1;
}

void meter_end(struct meter *m)
{
	if (m->on && m->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	m->shown = 0;
	m->step = NULL;
}
