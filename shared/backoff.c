/*
 * backoff.c - durations and the waits of a loop that syncs (backoff.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"

unsigned fb_duration_parse(const char *text)
{
	unsigned long v;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return 0;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || v > DURATION_MAX)
		return 0;
	if (!strcmp(end, "m"))
		v *= 60;
	else if (!strcmp(end, "h"))
		v *= 3600;
	else if (*end && strcmp(end, "s"))
		return 0;
	return v >= 1 && v <= DURATION_MAX ? (unsigned)v : 0;
}

void fb_backoff_init(struct fb_backoff *b, uint64_t period_ms, uint64_t seed)
{
	b->period_ms = period_ms;
	b->failures = 0;
	b->state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

/* splitmix64: small, good enough to spread laptops, and seedable. */
static uint64_t draw(struct fb_backoff *b)
{
	uint64_t z = (b->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fb_backoff_nominal(const struct fb_backoff *b, unsigned k)
{
	uint64_t d = BACKOFF_FIRST_MS;

	if (k == 0)
		return b->period_ms;
	for (unsigned i = 1; i < k && d < b->period_ms; i++)
		d *= 2;
	return d < b->period_ms ? d : b->period_ms;
}

uint64_t fb_backoff_next(struct fb_backoff *b, int failed, unsigned retry_after_s)
{
	uint64_t wait, floor_ms;

	if (!failed) {
		b->failures = 0;
		wait = b->period_ms;
	} else {
		uint64_t d;

		if (b->failures < 64)
			b->failures++;
		d = fb_backoff_nominal(b, b->failures);
		wait = d - d / 2 + draw(b) % (d / 2 + 1);
	}
	if (retry_after_s > BACKOFF_RETRY_AFTER_MAX)
		retry_after_s = BACKOFF_RETRY_AFTER_MAX;
	floor_ms = (uint64_t)retry_after_s * 1000;
	return wait > floor_ms ? wait : floor_ms;
}
