/*
 * cmd_verify.c - fieldbook verify: SQLite's integrity check, then every
 * device's hash chain from its first entry.  Exit 0 when both pass;
 * otherwise the first problem and exit 65.
 */
#include <stdio.h>

#include "book_view.h"
#include "commands.h"

static enum fb_code verify(struct cmd_ctx *c)
{
	struct book *b = NULL;
	uint64_t rows = 0, entries = 0;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = book_verify(b, &rows, &entries, &c->err);
	if (rc == FB_OK)
		printf("ok: database intact, %llu journal entries in %llu changes, hash chains complete\n",
		       (unsigned long long)entries, (unsigned long long)rows);
	book_close(b);
	return rc;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.usage = "verify",
	.help = "check the journal's hash chain and the database",
	.run = verify,
};
