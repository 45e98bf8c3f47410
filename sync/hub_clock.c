/* hub_clock.c - the clock check of a push (hub_clock.h). */
#include <stdio.h>

#include "hub_clock.h"
#include "hub_limits.h"

int hub_batch_ahead(const struct wire_batch *batch, fb_hlc now,
		    char msg[HUB_CLOCK_MSG_MAX])
{
	fb_hlc limit = HLC_MAKE(HLC_MS(now) + FB_HLC_MAX_DRIFT_MS, 0);
	char when[HLC_HUMAN_MAX];
	size_t i;

	for (i = 0; i < batch->n; i++) {
		if (batch->changes[i].hlc <= limit)
			continue;
		hlc_human(batch->changes[i].hlc, when);
		snprintf(msg, HUB_CLOCK_MSG_MAX,
			 "entry %llu is stamped %s UTC, %llu minutes ahead of the hub's clock;"
			 " set this laptop's date and time",
			 (unsigned long long)batch->changes[i].seq, when,
			 (unsigned long long)((HLC_MS(batch->changes[i].hlc) - HLC_MS(now)) /
					      HUB_MS_PER_MIN));
		return 1;
	}
	return 0;
}
