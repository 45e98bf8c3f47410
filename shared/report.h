/*
 * report.h - the figures the union's targets ask for, for one year.
 *
 * report_build() reads the current state (deleted records left out) of
 * one branch, or of every branch whose code is in a list (the hub rolls
 * units up), and fills a struct report.  It prints nothing: the
 * programs format it as a table, CSV or JSON.
 *
 * Definitions (docs/COMMANDS.md, "Reports"):
 *  - a member is "trained" in year Y when she attends at least one
 *    training whose start_date is in Y;
 *  - target groups: branch heads and deputies (target 100%), commune
 *    presidents and vice presidents (100%), those planned for commune
 *    president (50%);
 *  - courses by topic count each course under every topic it has, so
 *    the topic rows may add up to more than the distinct total;
 *  - attendances count attendance rows of those courses, trainees count
 *    distinct members;
 *  - visits by reason count visits in Y with their summed amount_vnd.
 */
#ifndef FB_REPORT_H
#define FB_REPORT_H

#include <stddef.h>
#include "model.h"
#include "store.h"

#define REPORT_GROUPS 3
#define REPORT_ROLES   MODEL_NROLES    /* sized by the vocabularies */
#define REPORT_TOPICS  MODEL_NTOPICS
#define REPORT_REASONS MODEL_NREASONS

struct report_person {
	char *id, *name, *role;
};

struct report_group {
	const char *key;            /* "branch_heads_deputies" */
	const char *title;          /* "Branch heads and deputies", marked
				     * N_(): _() where it is shown */
	int target_pct;
	long total, trained;
	struct report_person *untrained;  /* by name, given name first (collate.h) */
	size_t nuntrained;
};

struct report {
	int year;
	long members_by_role[REPORT_ROLES];      /* model_roles order */
	long members_total;
	struct report_group group[REPORT_GROUPS];
	long topic_courses[REPORT_TOPICS];       /* model_topics order */
	long topic_attendances[REPORT_TOPICS];
	long courses, attendances, trainees;
	long visits_by_reason[REPORT_REASONS];   /* model_reasons order */
	long long amount_by_reason[REPORT_REASONS];
	long visits;
	long long amount;
};

/*
 * Fill r for `year` over records of the branches whose codes are given
 * (nbranches 0: every branch in the database).
 */
enum fb_code report_build(struct fb_store *st, const char *const *branches,
			  size_t nbranches, int year, struct report *r,
			  struct fb_error *err)
	FB_MUST_CHECK;

/* Free what report_build() allocated. */
void report_release(struct report *r);

/* Percentage trained of a group, 0 when it has nobody. */
double report_pct(const struct report_group *g);

#endif
