/*
 * test_hlc.c - the hybrid logical clock (hlc.h): ticking against a wall
 * clock that jumps back, observing remote times, the 16-hex-digit text.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hlc.h"
#include "tap.h"

#define SEQUENCE_STEPS 1000

static void test_make(void)
{
	fb_hlc h = HLC_MAKE(1234567, 89);

	is_int(HLC_MS(h), 1234567, "HLC_MS takes the upper 48 bits");
	is_int(HLC_COUNTER(h), 89, "HLC_COUNTER takes the lower 16 bits");
	ok(HLC_MAKE(1, 0) > HLC_MAKE(0, 0xFFFF),
	   "a later millisecond orders after any counter");
	is_int(HLC_COUNTER(HLC_MAKE(5, 0x1FFFF)), 0xFFFF,
	       "HLC_MAKE masks the counter to 16 bits");
}

static void test_tick(void)
{
	fb_hlc a, b, c, d;

	a = hlc_tick(0, 1000);
	is_int(a, HLC_MAKE(1000, 0), "first tick is wall:0");
	b = hlc_tick(a, 500);
	ok(b > a, "wall clock went back (1000 -> 500): still strictly later");
	is_int(b, HLC_MAKE(1000, 1), "...the counter advances on the old millisecond");
	c = hlc_tick(b, 500);
	ok(c > b, "wall 500 again: strictly later");
	is_int(c, HLC_MAKE(1000, 2), "...counter 2");
	d = hlc_tick(c, 1001);
	is_int(d, HLC_MAKE(1001, 0), "wall catches up: wall:0, counter reset");
	is_int(hlc_tick(d, 1001), HLC_MAKE(1001, 1), "same millisecond twice: counter 1");
	is_int(hlc_tick(HLC_MAKE(7, 3), 7), HLC_MAKE(7, 4),
	       "wall equal to last's millisecond: counter + 1");
}

static void test_carry(void)
{
	fb_hlc full = HLC_MAKE(2000, 0xFFFF);
	fb_hlc next = hlc_tick(full, 1500);

	ok(next > full, "a full counter still ticks forward");
	is_int(HLC_MS(next), 2001, "...carrying into the next millisecond");
	is_int(HLC_COUNTER(next), 0, "...with counter 0");
	is_int(hlc_tick(next, 0), HLC_MAKE(2001, 1), "...and goes on from there");
}

static void test_long_sequence(void)
{
	/* A wall clock that wanders back and forth by whole seconds. */
	fb_hlc last = 0, h;
	uint64_t wall = 1700000000000ULL;
	int i, increasing = 1, ms_ok = 1;

	for (i = 0; i < SEQUENCE_STEPS; i++) {
		wall = (i % 7 == 3) ? wall - 5000 : wall + (uint64_t)(i % 3);
		h = hlc_tick(last, wall);
		if (h <= last)
			increasing = 0;
		if (HLC_MS(h) < wall)
			ms_ok = 0;
		last = h;
	}
	ok(increasing, "%d ticks with a wandering wall clock strictly increase",
	   SEQUENCE_STEPS);
	ok(ms_ok, "...and never fall behind the wall clock");
}

static void test_clamp(void)
{
	fb_hlc h = hlc_tick(0, HLC_MS_MAX + 12345);
	char text[17];
	fb_hlc back;

	is_int(HLC_MS(h), HLC_MS_MAX, "a wall clock past HLC_MS_MAX is clamped");
	hlc_format(h, text);
	ok(hlc_parse(text, &back) == FB_OK && back == h,
	   "...and the clamped time still parses back");
	ok(hlc_wall_ms() > 1600000000000ULL && hlc_wall_ms() < HLC_MS_MAX,
	   "hlc_wall_ms reads a plausible current time");
}

static void test_observe(void)
{
	fb_hlc local = HLC_MAKE(1000, 5);
	fb_hlc remote_ahead = HLC_MAKE(9000, 2);
	fb_hlc remote_behind = HLC_MAKE(10, 0);
	fb_hlc o, t;

	o = hlc_observe(local, remote_ahead);
	ok(o >= local && o >= remote_ahead, "observing a later time: >= both");
	t = hlc_tick(o, 1000);
	ok(t > remote_ahead, "...so a slow device's next tick orders after it");
	is_int(t, HLC_MAKE(9000, 3), "...on the remote millisecond, next counter");

	o = hlc_observe(local, remote_behind);
	is_int(o, local, "observing an earlier time leaves the clock as it was");
	is_int(hlc_observe(local, local), local, "observing itself changes nothing");
	is_int(hlc_observe(0, remote_ahead), remote_ahead, "from zero it takes the seen time");
}

static void test_format_parse(void)
{
	const fb_hlc samples[] = {
		0, 1, HLC_MAKE(1700000000123ULL, 42), HLC_MAKE(HLC_MS_MAX, 0xFFFF),
		UINT64_C(0x0123456789abcdef), UINT64_C(0x00000000ffffffff),
	};
	char text[17];
	size_t i, j;
	int round = 1, shape = 1;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		fb_hlc back = ~(fb_hlc)0;

		memset(text, 'X', sizeof(text));
		hlc_format(samples[i], text);
		if (strlen(text) != 16)
			shape = 0;
		for (j = 0; j < 16; j++)
			if (!((text[j] >= '0' && text[j] <= '9') ||
			      (text[j] >= 'a' && text[j] <= 'f')))
				shape = 0;
		if (hlc_parse(text, &back) != FB_OK || back != samples[i])
			round = 0;
	}
	ok(shape, "hlc_format writes exactly 16 lower-case hex digits");
	ok(round, "format then parse gives the same HLC back");
	hlc_format(HLC_MAKE(1, 0), text);
	is_str(text, "0000000000010000", "leading zeros are kept");
	hlc_format(UINT64_C(0x0123456789abcdef), text);
	is_str(text, "0123456789abcdef", "digits are lower-case");
}

static void test_parse_rejects(void)
{
	fb_hlc h = 77;

	ok(hlc_parse("0123456789ABCDEF", &h) == FB_OK &&
	   h == UINT64_C(0x0123456789abcdef), "upper-case hex is accepted");
	h = 77;
	is_int(hlc_parse("0123456789abcde", &h), FB_EINVAL, "15 digits refused");
	is_int(hlc_parse("0123456789abcdef0", &h), FB_EINVAL, "17 digits refused");
	is_int(hlc_parse("", &h), FB_EINVAL, "empty refused");
	is_int(hlc_parse("0123456789abcdeg", &h), FB_EINVAL, "'g' refused");
	is_int(hlc_parse("0x23456789abcdef", &h), FB_EINVAL, "'0x' prefix refused");
	is_int(hlc_parse(" 123456789abcdef", &h), FB_EINVAL, "leading space refused");
	is_int(hlc_parse("0123456789abcde ", &h), FB_EINVAL, "trailing space refused");
	is_int(hlc_parse("-123456789abcdef", &h), FB_EINVAL, "sign refused");
	is_int(hlc_parse("8000000000000000", &h), FB_EINVAL,
	       "milliseconds over HLC_MS_MAX refused");
	is_int(hlc_parse("ffffffffffffffff", &h), FB_EINVAL, "all ones refused");
	is_int(h, 77, "a refused parse leaves the output alone");
	ok(hlc_parse("7fffffffffffffff", &h) == FB_OK && HLC_MS(h) == HLC_MS_MAX,
	   "HLC_MS_MAX itself is accepted");
}

static void test_human(void)
{
	char out[32];

	hlc_human(HLC_MAKE(0, 0), out);
	is_str(out, "1970-01-01 00:00:00.000", "epoch in human form");
	hlc_human(HLC_MAKE(1795791845123ULL, 9), out);
	is_str(out, "2026-11-27 15:04:05.123", "a date in 2026, UTC, with milliseconds");
}

int main(void)
{
	test_make();
	test_tick();
	test_carry();
	test_long_sequence();
	test_clamp();
	test_observe();
	test_format_parse();
	test_parse_rejects();
	test_human();
	return tap_done();
}
