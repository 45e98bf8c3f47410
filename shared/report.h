/*
 * report.h - the figures the union's targets ask for, for one year.
 *
 * report_scan() reads the current state of every record once (one pass
 * per type, the attendances in one scan of the table) and gives each
 * branch's own figures: the figures of a branch are those of the
 * records that name it.  report_build() adds the branches of a list up
 * into one struct report (the collector's report of its branch); the hub
 * adds each branch into the unit above it at the level asked, so its
 * whole report costs one pass over the records, whatever the number of
 * units (docs/PERFORMANCE.md, "Reports").  Neither prints anything.
 *
 * Definitions (docs/COMMANDS.md, "Reports"):
 *  - a member is "trained" in year Y when she attends at least one
 *    training whose start_date is in Y, wherever it was held: the
 *    attendance, the training and the member not deleted;
 *  - target groups: branch heads and deputies (target 100%), commune
 *    presidents and vice presidents (100%), those planned for commune
 *    president (50%); a member counts in her own branch's group;
 *  - trainees are the members of a branch trained in Y, each counted
 *    once, at her branch: so a unit's figure is the sum of its
 *    branches' and nobody is counted twice;
 *  - courses by topic count the branch's trainings starting in Y under
 *    every topic each has, so the topic rows may add up to more than
 *    the distinct total; attendances count the attendance rows of those
 *    courses (of members not deleted);
 *  - visits by reason count the branch's visits in Y with their summed
 *    amount_vnd (an unset amount counts 0).
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

/* Someone of a target group not yet trained. */
struct report_person {
	char *id, *name, *role;
	char *branch;               /* her branch: the code her record names */
	int birth_year;             /* 0: not recorded */
	int group;                  /* index into struct report's group[] */
};

struct report_group {
	const char *key;            /* "branch_heads_deputies" */
	const char *title;          /* "Branch heads and deputies", marked
				     * N_(): _() where it is shown */
	int target_pct;
	long total, trained;
	struct report_person *untrained;  /* by name, given name first
					     (report.c, key_cmp) */
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

/* One branch's own figures, as report_scan() gives them. */
struct report_branch {
	char *code;
	long records;               /* its rows of every type, deleted ones too */
	struct report r;            /* its figures; the untrained lists empty */
};

struct report_scan {
	int year;
	struct report_branch *branch;    /* every code records name, in code order */
	size_t nbranch;
	struct report_person *people;    /* with names: everyone of a target group
					    not yet trained, in name order */
	size_t npeople;
};

/*
 * Fill s for `year` from every record of the store (SQLite: in one read
 * transaction of st).  names: also list the people not yet trained
 * (s->people).  Release s with report_scan_release(), on failure too.
 */
enum fb_code report_scan(struct fb_store *st, int year, int names,
			 struct report_scan *s, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * The same over any store, which only feeds rows: report_scan_rows asks
 * rows() for the records of each type in turn ("member", "training",
 * "visit", then "attendance"), and rows() hands each to fn, in any
 * order, the strings valid for fn's call.  fn's code other than FB_OK
 * (err set) stops rows(), which returns it; a failure of the store is
 * rows()'s own code with err set.  All the figures and the order of
 * names are made here, whatever the store (sync/hub_store_pg_report.c
 * feeds PostgreSQL's rows).  The rows should be of one snapshot: the
 * store begins and ends it around the call.
 */
struct report_row {
	const char *id, *branch;        /* a row with either NULL is skipped */
	int deleted;
	const char *vals;               /* the record's JSON, as the store keeps it */
	size_t len;                     /* its bytes */
};

typedef enum fb_code (*report_row_fn)(void *ctx, const struct report_row *row);
typedef enum fb_code (*report_rows_fn)(void *src, const char *type, report_row_fn fn,
				       void *ctx, struct fb_error *err);

enum fb_code report_scan_rows(report_rows_fn rows, void *src, int year, int names,
			      struct report_scan *s, struct fb_error *err)
	FB_MUST_CHECK;

void report_scan_release(struct report_scan *s);

/* An empty report of `year`: zero figures, the groups' keys and targets. */
void report_init(struct report *r, int year);

/* Add from's figures into r (not the lists of names). */
void report_add(struct report *r, const struct report *from);

/*
 * Append p, a copy, to the untrained list of its group in r.  Called in
 * the order of s->people, each list stays in name order.
 */
enum fb_code report_add_person(struct report *r, const struct report_person *p)
	FB_MUST_CHECK;

/*
 * Fill r for `year` over records of the branches whose codes are given
 * (nbranches 0: every branch in the database), with the names of those
 * not yet trained.
 */
enum fb_code report_build(struct fb_store *st, const char *const *branches,
			  size_t nbranches, int year, struct report *r,
			  struct fb_error *err)
	FB_MUST_CHECK;

/* Free what report_build() or report_add_person() allocated. */
void report_release(struct report *r);

/* Percentage trained of a group, 0 when it has nobody. */
double report_pct(const struct report_group *g);

/* 1 when a group with members reaches its target. */
int report_met(const struct report_group *g);

#endif
