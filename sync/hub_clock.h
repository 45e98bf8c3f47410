/*
 * hub_clock.h - the clock check of a push (docs/PROTOCOL.md §6.6, step
 * 3): a laptop whose clock runs ahead would win every merge.  A push
 * over HTTP and one carried in a bundle are checked alike.
 */
#ifndef FB_HUB_CLOCK_H
#define FB_HUB_CLOCK_H

#include "error.h"
#include "hlc.h"
#include "wire.h"

#define HUB_CLOCK_MSG_MAX (FB_ERRMSG_MAX + 64)

/* 1 when a change of b is stamped further ahead of the hub's clock
 * `now` than the drift allowed, with msg saying which and what to do. */
int hub_batch_ahead(const struct wire_batch *b, fb_hlc now,
		    char msg[HUB_CLOCK_MSG_MAX]);

#endif
