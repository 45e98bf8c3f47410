/*
 * cmd_verify.c - fieldbook verify: SQLite's integrity check, every
 * device's hash chain from its first entry, then every record rebuilt
 * from its journal entries and compared with what the record table,
 * which every command shows, holds (book_verify_records).  Exit 0 when
 * all pass; otherwise exit 65, with each record and field that differs
 * listed on stdout and one line on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "book_view.h"
#include "commands.h"
#include "i18n.h"

/* Differences listed, and the records they are in. */
struct listed {
	uint64_t records;
	char last[FB_RECORD_ID_MAX + 1];
};

static enum fb_code list_difference(const struct book_difference *d, void *ctx)
{
	struct listed *l = ctx;
	char line[FB_ERRMSG_MAX + 2 * FB_VALUE_MAX];

	if (strcmp(l->last, d->record)) {
		l->records++;
		snprintf(l->last, sizeof(l->last), "%s", d->record);
	}
	book_difference_text(d, line, sizeof(line));
	/* Every one counted; the first FB_VERIFY_SHOWN_MAX shown. */
	return l->records > FB_VERIFY_SHOWN_MAX || printf("%s\n", line) >= 0
	       ? FB_OK : FB_EIO;
}

static enum fb_code verify(struct cmd_ctx *c)
{
	struct book *b = NULL;
	struct listed l = { 0, "" };
	struct book_verify_walk w = { NULL, list_difference, &l, 0, 0 };
	uint64_t rows = 0, entries = 0;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	w.b = b;
	if ((rc = book_verify(b, &rows, &entries, &c->err)) == FB_OK &&
	    (rc = book_verify_records(&w, &c->err)) == FB_OK) {
		if (w.differences) {
			char recs[96], diffs[64];

			snprintf(recs, sizeof(recs), ngettext("%llu record of %llu differs",
							      "%llu records of %llu differ",
							      (unsigned long)l.records),
				 (unsigned long long)l.records, (unsigned long long)w.records);
			snprintf(diffs, sizeof(diffs), ngettext("%llu difference",
								"%llu differences",
								(unsigned long)w.differences),
				 (unsigned long long)w.differences);
			rc = fb_fail(&c->err, FB_ECORRUPT, _("%s from the journal (%s%s): the"
				     " record table was changed outside Fieldbook; the journal,"
				     " which is whole, holds what was typed"), recs, diffs,
				     l.records > FB_VERIFY_SHOWN_MAX ? _("; the first listed above")
				     : _(", listed above"));
		}
		else
			printf(_("ok: database intact, %llu journal entries in %llu changes, hash"
			         " chains complete, %llu records as the journal gives them\n"),
			       (unsigned long long)entries, (unsigned long long)rows,
			       (unsigned long long)w.records);
	}
	book_close(b);
	return rc;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.usage = "verify",
	.help = N_("check the database, the journal's hash chains, and every record against the journal"),
	.run = verify,
};
