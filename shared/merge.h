/*
 * merge.h - the merge rule of docs/MERGE.md, as one pure function.
 *
 * The same code decides on the laptop and on the hub, for local edits
 * and for entries pulled or pushed.  It does no I/O: given what a
 * replica holds for one field and one incoming entry for that field, it
 * says what the replica holds afterwards and whether a value lost to a
 * concurrent one must go to the conflict log.
 *
 * Order: a value's stamp is (HLC, device id); the greatest stamp wins,
 * comparing HLCs first and device ids (byte-wise) on a tie.  So every
 * replica that has seen the same entries holds the same values, in
 * whatever order they arrived.
 *
 * Concurrency: an entry names as its base the stamp of the value it
 * replaced on its own device.  If that is not the stamp the receiver
 * holds, the two values were written without seeing each other, and
 * the one that loses is logged, never dropped, unless both wrote the
 * same value (then nothing was lost and there is nothing to decide).
 *
 * Deletion is the field `deleted` and merges like any other.  An edit
 * and a delete of the same record touch different fields, so the rule
 * above cannot see them meet; merge_edit_vs_delete() decides that, from
 * what the delete says its writer had seen (its `_seen` vector, seen.h).
 */
#ifndef FB_MERGE_H
#define FB_MERGE_H

#include "hlc.h"
#include "limits.h"

struct fb_stamp {
	fb_hlc hlc;                         /* 0: no value yet */
	char device[FB_DEVICE_ID_MAX + 1];  /* "" with hlc 0 */
};

/* What a replica holds for one field. */
struct merge_field {
	int present;            /* 0: the field was never written here */
	struct fb_stamp stamp;
	const char *value;      /* borrowed */
};

/* One incoming entry for that field. */
struct merge_entry {
	struct fb_stamp stamp;
	struct fb_stamp base;   /* hlc 0: the writer had no value */
	const char *value;      /* borrowed */
};

enum merge_outcome {
	MERGE_SAME,     /* already held: a replay, nothing changes */
	MERGE_TAKE,     /* the entry's value becomes current */
	MERGE_KEEP,     /* the current value stays */
};

struct merge_result {
	enum merge_outcome outcome;
	int conflict;                  /* 1: log the loser below */
	/* With conflict set (borrowed from the inputs): */
	const struct fb_stamp *winner_stamp, *loser_stamp;
	const char *winner_value, *loser_value;
};

/* <0, 0, >0 as a orders before, equal to, after b. */
int stamp_cmp(const struct fb_stamp *a, const struct fb_stamp *b);

/* 1 when both name the same write. */
int stamp_eq(const struct fb_stamp *a, const struct fb_stamp *b);

/*
 * Apply the rule.  Never fails.  The caller stores the entry's value
 * and stamp when outcome is MERGE_TAKE, and logs the loser when
 * conflict is set (with the entry's value when outcome is MERGE_KEEP,
 * with the held value when it is MERGE_TAKE).
 */
void merge_field(const struct merge_field *cur, const struct merge_entry *in,
		 struct merge_result *out);

/*
 * An edit against a delete (docs/MERGE.md, "Delete against edit").
 * While a record is deleted, a field whose value has stamp `edit` meets
 * the winning delete, at stamp `del`, as a conflict when the deleting
 * device had not seen that value:
 *
 *   - seen is what the delete's seen vector lists for the field (the
 *     zero stamp when it lists none): the edit meets the delete when it
 *     is greater.  The deleter held that value, or none, and never saw
 *     this one, whether the edit is older or newer than the delete.
 *   - seen is NULL for a delete that carries no vector (written by the
 *     previous release, or the vector belongs to another delete): the
 *     edit meets it only when it is newer than the delete and from
 *     another device, the one case the receiver can tell without one.
 *
 * The answer depends only on the record's state, which every replica
 * that holds the same entries shares, so all of them log the same open
 * conflicts whatever the order of arrival.  The edit's value stays
 * current in the deleted record either way, and `restore` shows it.
 */
int merge_edit_vs_delete(const struct fb_stamp *edit,
			 const struct fb_stamp *del,
			 const struct fb_stamp *seen);

#endif
