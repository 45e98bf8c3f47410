/*
 * verify.c - the journal's hash chains, and the records people see
 * against what the journal says, over rows from any store (verify.h).
 *
 * The record table is a cache of the journal: every value in it was
 * put there by merging an entry, and the merge rule keeps, for each
 * field, the value of the greatest stamp (merge.h), whatever the order
 * the entries came in.  So each record can be rebuilt from its journal
 * entries alone and compared with its row, field by field, stamp and
 * value.  A row changed behind the journal's back (the sqlite3 shell,
 * psql, another program, a damaged page that still reads) differs, and
 * is named by record and field.
 *
 * One pass over the journal ordered by record and one over the record
 * table ordered by id, side by side: memory stays one record, whatever
 * the size of the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "label.h"
#include "verify.h"

/* --- the hash chains --------------------------------------------------- */

enum fb_code verify_chains(const struct verify_rows *src, const char *own, uint64_t *rows,
			   uint64_t *entries, struct fb_error *err)
{
	static const unsigned char start[JOURNAL_HASH_LEN];    /* before a first entry */
	unsigned char prev[JOURNAL_HASH_LEN], stored[JOURNAL_HASH_LEN];
	char device[FB_DEVICE_ID_MAX + 1] = "";
	uint64_t expect = 1;
	struct journal_row row;
	struct jchange c;
	enum fb_code rc;
	int more = 0;

	*rows = *entries = 0;
	memcpy(prev, start, sizeof(prev));
	while ((rc = src->journal(src->ctx, &row, &more, err)) == FB_OK && more) {
		const char *dev = row.device ? row.device : "";
		uint64_t seq = row.seq;
		/* A collector holds only what the hub sent of other devices
		 * (its own branch, nothing rejected): their chains may have
		 * gaps, which the hub, holding them whole, has checked. */
		int partial = own && strcmp(dev, own), known;

		if (strcmp(dev, device)) {
			snprintf(device, sizeof(device), "%s", dev);
			memcpy(prev, start, sizeof(prev));
			expect = 1;
		}
		known = seq == expect;
		if (!known && !partial)
			return fb_fail(err, FB_ECORRUPT, _("journal: device %s entry %llu is missing"),
				       dev, (unsigned long long)expect);
		rc = journal_row_fill(&c, &row, err);
		/* After a gap the stored hash is taken as the chain's. */
		if (rc == FB_OK && known) {
			memcpy(stored, c.hash, sizeof(stored));
			if (journal_hash(prev, &c) != FB_OK || memcmp(stored, c.hash, sizeof(stored)))
				rc = fb_fail(err, FB_ECORRUPT,
					     _("journal: device %s entry %llu was altered (hash does not match)"),
					     dev, (unsigned long long)seq);
		}
		if (rc != FB_OK) {
			jchange_release(&c);
			return rc;
		}
		memcpy(prev, c.hash, sizeof(prev));
		expect = seq + c.n;
		(*rows)++;
		*entries += c.n;
		jchange_release(&c);
	}
	return rc;
}

/* --- the records --------------------------------------------------------- */

struct walk {
	const struct verify_rows *src;
	book_difference_fn fn;
	void *ctx;
	uint64_t records, differences;
	struct journal_row j;           /* the journal row under the walk */
	int jmore;
	struct verify_record t;         /* the record row under it */
	int tmore;
};

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Report one difference; the walk goes on unless fn says otherwise. */
static enum fb_code report(struct walk *w, const char *record, const char *type,
			   const char *field, const char *what, const char *table,
			   const char *journal)
{
	struct book_difference d = { record, type, field, what, table, journal };

	w->differences++;
	return w->fn ? w->fn(&d, w->ctx) : FB_OK;
}

/*
 * Rebuild the record the journal rows under the walk write, from the
 * row it is on to the last of its id; the walk is left on the next id's
 * first row.  *out is the caller's (record_free).
 */
static enum fb_code rebuild(struct walk *w, struct record **out, struct fb_error *err)
{
	struct record *r = NULL;
	char id[FB_RECORD_ID_MAX + 1];
	enum fb_code rc = FB_OK;

	*out = NULL;
	snprintf(id, sizeof(id), "%s", or_empty(w->j.record_id));
	while (rc == FB_OK && w->jmore && !strcmp(or_empty(w->j.record_id), id)) {
		const struct type_def *t;
		struct jchange c;
		size_t i;

		rc = journal_row_fill(&c, &w->j, err);
		if (rc == FB_OK && !r && !(r = record_new(c.record_id, c.type, c.branch)))
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
		t = r ? model_type(r->type) : NULL;
		for (i = 0; rc == FB_OK && i < c.n; i++) {
			int fi = model_field_index(t, c.e[i].field);
			struct merge_field cur;
			struct merge_entry in = { { c.hlc, "" }, c.e[i].base, c.e[i].value };
			struct merge_result res;
			char *v;

			/* A row of another type or branch, or an unknown field:
			 * book_apply would have refused it; the row shows it. */
			if (fi < 0 || c.type != r->type || strcmp(c.branch, r->branch))
				continue;
			cur.present = r->val[fi] != NULL;
			cur.stamp = r->stamp[fi];
			cur.value = r->val[fi];
			snprintf(in.stamp.device, sizeof(in.stamp.device), "%s", c.device);
			merge_field(&cur, &in, &res);
			if (res.outcome != MERGE_TAKE)
				continue;
			if (!(v = strdup(c.e[i].value))) {
				rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
				break;
			}
			free(r->val[fi]);
			r->val[fi] = v;
			r->stamp[fi] = in.stamp;
		}
		jchange_release(&c);
		if (rc == FB_OK)
			rc = w->src->journal(w->src->ctx, &w->j, &w->jmore, err);
	}
	if (rc != FB_OK) {
		record_free(r);
		return rc;
	}
	*out = r;
	return FB_OK;
}

/* Compare the record row under the walk with want. */
static enum fb_code compare(struct walk *w, const struct record *want, struct fb_error *err)
{
	const struct verify_record *row = &w->t;
	const struct type_def *tw = model_type(want->type),
			      *tt = model_type_named(or_empty(row->type));
	const char *id = want->id, *branch = row->branch;
	char st[STAMP_TEXT_MAX], sj[STAMP_TEXT_MAX];
	struct record *have = NULL;
	enum fb_code rc = FB_OK;
	int i;

	if (tt != tw)
		return report(w, id, tw->name, NULL, "type", row->type, tw->name);
	if (!branch || strcmp(branch, want->branch))
		return report(w, id, tw->name, NULL, "branch", or_empty(branch), want->branch);
	if (!(have = record_new(id, want->type, want->branch)))
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	if (record_decode(have, row->vals, row->clk, NULL) != FB_OK) {
		rc = report(w, id, tw->name, NULL, "damaged", "", "");
		goto out;
	}
	for (i = 0; rc == FB_OK && tw->fields[i].name; i++) {
		const char *hv = have->val[i], *wv = want->val[i];

		if ((hv == NULL) != (wv == NULL) || (hv && strcmp(hv, wv))) {
			rc = report(w, id, tw->name, tw->fields[i].name, "value", hv, wv);
		} else if (hv && !stamp_eq(&have->stamp[i], &want->stamp[i])) {
			stamp_format(&have->stamp[i], st);
			stamp_format(&want->stamp[i], sj);
			rc = report(w, id, tw->name, tw->fields[i].name, "stamp", st, sj);
		}
	}
	/* The column reports filter on, beside the field it caches. */
	if (rc == FB_OK && row->deleted != record_deleted(want))
		rc = report(w, id, tw->name, FIELD_DELETED, "column", row->deleted ? "1" : "0",
			    record_deleted(want) ? "1" : "0");
out:
	record_free(have);
	return rc;
}

enum fb_code verify_records(const struct verify_rows *src, book_difference_fn fn,
			    void *ctx, uint64_t *records, uint64_t *differences,
			    struct fb_error *err)
{
	struct walk w;
	enum fb_code rc;

	memset(&w, 0, sizeof(w));
	w.src = src;
	w.fn = fn;
	w.ctx = ctx;
	if ((rc = src->journal(src->ctx, &w.j, &w.jmore, err)) == FB_OK)
		rc = src->record(src->ctx, &w.t, &w.tmore, err);
	while (rc == FB_OK && (w.jmore || w.tmore)) {
		const char *jid = w.jmore ? or_empty(w.j.record_id) : NULL;
		const char *tid = w.tmore ? or_empty(w.t.id) : NULL;
		int order = !jid ? 1 : !tid ? -1 : strcmp(jid, tid);
		struct record *want = NULL;

		if (order > 0) {
			/* A row no entry wrote. */
			w.records++;
			rc = report(&w, tid, or_empty(w.t.type), NULL, "unjournaled", NULL, NULL);
			if (rc == FB_OK)
				rc = src->record(src->ctx, &w.t, &w.tmore, err);
			continue;
		}
		if ((rc = rebuild(&w, &want, err)) != FB_OK)
			break;
		w.records++;
		if (order < 0) {
			rc = report(&w, want->id, model_type(want->type)->name, NULL, "missing",
				    NULL, NULL);
		} else {
			rc = compare(&w, want, err);
			if (rc == FB_OK)
				rc = src->record(src->ctx, &w.t, &w.tmore, err);
		}
		record_free(want);
	}
	*records = w.records;
	*differences = w.differences;
	return rc;
}

int book_difference_text(const struct book_difference *d, char *out, size_t n)
{
	const char *tv = d->table ? d->table : "", *jv = d->journal ? d->journal : "";
	const struct type_def *t = model_type_named(d->type);
	const char *type = t ? label_type(t->type) : d->type;

	if (!strcmp(d->what, "unjournaled"))
		return snprintf(out, n, _("%s %s: in the record table, but no journal entry"
					  " wrote it"), type, d->record);
	if (!strcmp(d->what, "missing"))
		return snprintf(out, n, _("%s %s: written in the journal, but missing from the"
					  " record table"), type, d->record);
	if (!strcmp(d->what, "damaged"))
		return snprintf(out, n, _("%s %s: its row in the record table does not read"),
				type, d->record);
	if (!strcmp(d->what, "type"))
		return snprintf(out, n, _("%s %s: the record table gives type %s, the journal %s"),
				type, d->record, tv, jv);
	if (!strcmp(d->what, "branch"))
		return snprintf(out, n, _("%s %s: the record table gives branch %s, the"
					  " journal %s"), type, d->record, tv, jv);
	if (!strcmp(d->what, "stamp"))
		return snprintf(out, n, _("%s %s field %s: the record table has it written at"
					  " %s, the journal at %s"), type, d->record, d->field, tv, jv);
	if (!strcmp(d->what, "column"))
		return snprintf(out, n, _("%s %s field %s: the record table's deleted column"
					  " says %s, the journal %s"), type, d->record, d->field,
				tv, jv);
	return snprintf(out, n, _("%s %s field %s: the record table holds %s%s%s, the journal"
				  " gives %s%s%s"), type, d->record, d->field,
			d->table ? "\"" : "", d->table ? tv : _("no value"), d->table ? "\"" : "",
			d->journal ? "\"" : "", d->journal ? jv : _("no value"),
			d->journal ? "\"" : "");
}
