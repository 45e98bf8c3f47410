/* progress.c - one line of text for a progress report (progress.h). */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "progress.h"
#include "text.h"

/* "0 B", "999 B", "1.2 kB", "34.5 MB" (powers of 1000). */
static void human_bytes(double n, char *out, size_t size)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int u = 0;

	while (n >= 1000 && u < 4) {
		n /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, size, "%.0f %s", n, unit[u]);
	else
		snprintf(out, size, "%.1f %s", n, unit[u]);
}

/* s, then blanks to cols columns of display (a translated step or unit
 * may hold letters of several bytes), into out. */
static void padded(char *out, size_t size, const char *s, size_t cols)
{
	size_t w = text_width(s);

	snprintf(out, size, "%s%*s", s, w < cols ? (int)(cols - w) : 0, "");
}

/* The bar: filled to fraction, or a block that moves one column a frame. */
static void bar(double fraction, unsigned long frame, char out[PROGRESS_BAR + 3])
{
	int i, fill, at;

	out[0] = '[';
	if (fraction >= 0) {
		fill = (int)(fraction * PROGRESS_BAR);
		for (i = 0; i < PROGRESS_BAR; i++)
			out[1 + i] = i < fill ? '#' : '.';
	} else {
		/* Back and forth, so that the eye sees it move. */
		at = (int)(frame % (2 * (PROGRESS_BAR - 3)));
		if (at >= PROGRESS_BAR - 3)
			at = 2 * (PROGRESS_BAR - 3) - at;
		for (i = 0; i < PROGRESS_BAR; i++)
			out[1 + i] = ' ';
		memcpy(out + 1 + at, "<=>", 3);
	}
	out[PROGRESS_BAR + 1] = ']';
	out[PROGRESS_BAR + 2] = '\0';
}

void progress_format(const struct progress *p, uint64_t elapsed_ms, unsigned long frame,
		     size_t cols, char *out, size_t size)
{
	char count[64], pct[8] = "", bytes[16], rate[24], b[PROGRESS_BAR + 3], head[160], tail[96];
	char step[48], counted[80];
	double secs = elapsed_ms > 0 ? (double)elapsed_ms / 1000 : 0.001;
	unsigned long s = (unsigned long)(elapsed_ms / 1000);
	/* The step and the unit are marked N_() where they are set. */
	const char *unit = p->unit ? _(p->unit) : _("entries");

	if (p->total)
		snprintf(count, sizeof(count), "%llu/%llu %s", (unsigned long long)p->done,
			 (unsigned long long)p->total, unit);
	else
		snprintf(count, sizeof(count), "%llu %s", (unsigned long long)p->done, unit);
	if (p->fraction >= 0)
		snprintf(pct, sizeof(pct), "%3d%%", (int)(p->fraction * 100));
	human_bytes((double)p->bytes, bytes, sizeof(bytes));
	human_bytes((double)p->bytes / secs, rate, sizeof(rate) - 2);
	strcat(rate, "/s");
	bar(p->fraction, frame, b);
	padded(step, sizeof(step), fb_tr(p->step), 9);
	padded(counted, sizeof(counted), count, 17);
	snprintf(head, sizeof(head), "%s %s", step, counted);
	snprintf(tail, sizeof(tail), "%4s %8s %10s %lu:%02lu", pct, bytes, rate, s / 60, s % 60);
	/* The bar only when the whole line fits: a line that wraps
	 * cannot be drawn again in place. */
	if (text_width(head) + 1 + strlen(b) + 1 + strlen(tail) < cols)
		snprintf(out, size, "%s %s %s", head, b, tail);
	else
		snprintf(out, size, "%s %s", head, tail);
}

