/* hlc.c - hybrid logical clock arithmetic (the store persists it). */
#include <stdio.h>
#include <time.h>

#include "hlc.h"

uint64_t hlc_wall_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t hlc_boot_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void hlc_boot_id(char out[HLC_BOOT_ID_MAX])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	size_t n = 0, i;

	out[0] = '\0';
	if (!f)
		return;
	n = fread(out, 1, HLC_BOOT_ID_MAX - 1, f);
	fclose(f);
	out[n] = '\0';
	/* An id is hex digits and dashes; anything else ends it. */
	for (i = 0; i < n; i++)
		if (!((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f') ||
		      out[i] == '-'))
			break;
	out[i] = '\0';
}

fb_hlc hlc_tick(fb_hlc last, uint64_t wall_ms)
{
	fb_hlc wall;

	if (wall_ms > HLC_MS_MAX)
		wall_ms = HLC_MS_MAX;
	wall = HLC_MAKE(wall_ms, 0);
	/* last + 1 carries a full counter into the next millisecond. */
	return wall > last ? wall : last + 1;
}

fb_hlc hlc_observe(fb_hlc last, fb_hlc seen)
{
	return seen > last ? seen : last;
}

void hlc_format(fb_hlc h, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

enum fb_code hlc_parse(const char *s, fb_hlc *out)
{
	fb_hlc v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return FB_EINVAL;
		v = (v << 4) | d;
	}
	if (s[16] != '\0' || HLC_MS(v) > HLC_MS_MAX)
		return FB_EINVAL;
	*out = v;
	return FB_OK;
}

void hlc_human(fb_hlc h, char out[HLC_HUMAN_MAX])
{
	uint64_t ms = HLC_MS(h);
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, 32, "?");
		return;
	}
	snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d.%03u",
		 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
		 tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
		 tm.tm_sec % 100, (unsigned)(ms % 1000));
}
