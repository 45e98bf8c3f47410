/*
 * hub_report.h - what `fieldbook-hub report` reads from the store in one
 * go: the whole unit tree, each unit's laptops and when they last
 * pushed, and each branch's own figures (shared/report.h's
 * report_scan).  The command adds the branches up to the level asked
 * (hub_cmd_report.c); the store only reads.
 */
#ifndef FB_HUB_REPORT_H
#define FB_HUB_REPORT_H

#include <stdint.h>
#include "report.h"

#define HUB_REPORT_STALE_DAYS 30      /* --stale's default */
#define HUB_REPORT_STALE_MAX  36500   /* --stale at most: a hundred years */

struct hub_report_unit {
	char *code, *parent, *level, *name;  /* parent NULL: the top unit */
	long laptops;           /* laptops enrolled for it and not revoked
				   (a hub's token below is no laptop) */
	int64_t last_heard;     /* Unix ms of the newest push of a laptop
				   enrolled for it, revoked or not; 0: none
				   has pushed */
};

struct hub_report_data {
	struct hub_report_unit *unit;    /* every unit of the hub, in code order */
	size_t nunit;
	struct report_scan scan;         /* every branch's figures */
};

/* Free what the store's report_data operation filled. */
void hub_report_data_release(struct hub_report_data *d);

/* "2026-04-30T14:05:00Z" (the device table's times) as Unix ms; 0 if
 * not one.  Both stores read last_heard so. */
int64_t hub_report_ms(const char *iso);

#endif
