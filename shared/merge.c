/* merge.c - per-field last-writer-wins with a conflict log. */
#include <string.h>

#include "merge.h"

int stamp_cmp(const struct fb_stamp *a, const struct fb_stamp *b)
{
	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	return strcmp(a->device, b->device);
}

int stamp_eq(const struct fb_stamp *a, const struct fb_stamp *b)
{
	return stamp_cmp(a, b) == 0;
}

static const struct fb_stamp no_stamp;

/*
 * Two writers who wrote the same value lost nothing to each other (two
 * laptops recording the same attendance): the greater stamp still wins,
 * but there is no conflict to show.
 */
static void not_when_equal(struct merge_result *out)
{
	if (out->winner_value && out->loser_value &&
	    !strcmp(out->winner_value, out->loser_value))
		out->conflict = 0;
}

void merge_field(const struct merge_field *cur, const struct merge_entry *in,
		 struct merge_result *out)
{
	const struct fb_stamp *held = cur->present ? &cur->stamp : &no_stamp;
	int concurrent;

	memset(out, 0, sizeof(*out));
	if (cur->present && stamp_eq(held, &in->stamp)) {
		out->outcome = MERGE_SAME;
		return;
	}
	concurrent = cur->present && !stamp_eq(&in->base, held);
	if (stamp_cmp(&in->stamp, held) > 0) {
		out->outcome = MERGE_TAKE;
		if (concurrent) {
			out->conflict = 1;
			out->winner_stamp = &in->stamp;
			out->winner_value = in->value;
			out->loser_stamp = &cur->stamp;
			out->loser_value = cur->value;
			not_when_equal(out);
		}
		return;
	}
	out->outcome = MERGE_KEEP;
	/* An older entry that arrives after a newer one always lost to a
	 * value its writer had not seen: keep it in the log. */
	out->conflict = 1;
	out->winner_stamp = &cur->stamp;
	out->winner_value = cur->value;
	out->loser_stamp = &in->stamp;
	out->loser_value = in->value;
	not_when_equal(out);
}

int merge_edit_vs_delete(const struct fb_stamp *edit,
			 const struct fb_stamp *del,
			 const struct fb_stamp *seen)
{
	if (seen)
		return stamp_cmp(edit, seen) > 0;
	return strcmp(edit->device, del->device) != 0 && stamp_cmp(edit, del) > 0;
}
