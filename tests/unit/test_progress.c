/* test_progress.c - a progress report as one line of text (shared/progress.c). */
#include <string.h>

#include "progress.h"
#include "tap.h"

int main(void)
{
	struct progress p = { "sending", NULL, 0, 3400, 0, 0 };
	struct progress_sink none = { NULL, NULL };
	char line[PROGRESS_LINE_MAX];

	progress_format(&p, 0, 0, 80, line, sizeof(line));
	is_str(line, "sending   0/3400 entries    [................]   0%      0 B      0 B/s 0:00",
	       "the first line of a step: nothing done, an empty bar");
	p.done = 1200;
	p.bytes = 1234567;
	p.fraction = progress_fraction(p.done, p.total);
	progress_format(&p, 25000, 7, 80, line, sizeof(line));
	is_str(line, "sending   1200/3400 entries [#####...........]  35%   1.2 MB  49.4 kB/s 0:25",
	       "entries of all, a bar, percent, bytes, the rate over the time, the time");
	ok(strlen(line) < 80, "it fits 80 columns");
	progress_format(&p, 25000, 7, 60, line, sizeof(line));
	is_str(line, "sending   1200/3400 entries  35%   1.2 MB  49.4 kB/s 0:25",
	       "on a narrow terminal, the bar is left out");
	p.done = p.total;
	p.fraction = progress_fraction(p.done, p.total);
	progress_format(&p, 61000, 8, 80, line, sizeof(line));
	ok(strstr(line, "[################] 100%") && strstr(line, " 1:01"), "done: a full bar, 100%%, 1:01");

	p.step = "receiving";
	p.unit = NULL;
	p.total = 0;
	p.done = 800;
	p.bytes = 999;
	p.fraction = progress_fraction(p.done, p.total);
	ok(p.fraction < 0, "no total: the fraction is not known");
	progress_format(&p, 1000, 0, 80, line, sizeof(line));
	is_str(line, "receiving 800 entries       [<=>             ]         999 B    999 B/s 0:01",
	       "an end not known: a block in the bar, no percent");
	progress_format(&p, 1000, 5, 80, line, sizeof(line));
	ok(strstr(line, "[     <=>        ]") != NULL, "the block moves with the frame");
	progress_format(&p, 1000, 13, 80, line, sizeof(line));
	ok(strstr(line, "[             <=>]") != NULL, "to the end of the bar");
	progress_format(&p, 1000, 14, 80, line, sizeof(line));
	ok(strstr(line, "[            <=> ]") != NULL, "and back");
	p.step = "importing";
	p.unit = "rows";
	progress_format(&p, 1000, 0, 80, line, sizeof(line));
	ok(!strncmp(line, "importing 800 rows ", 19), "the unit is the report's");
	is_int((long long)(progress_fraction(5, 4) * 100), 100, "never more than all");
	progress_report(&none, &p);
	ok(1, "a report with no sink does nothing");
	return tap_done();
}
