/* cmd_edit.c - fieldbook edit ID FIELD=VALUE..., delete ID, restore ID. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

enum fb_code cmd_edit(struct cli *c)
{
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	struct book *b = NULL;
	size_t n = 0, changed = 0;
	int first, i;
	enum fb_code rc;

	rc = cli_parse_opts(c, NULL, NULL, NULL, NULL, NULL, &first);
	if (rc != FB_OK || first < 0)
		return rc;
	if (c->argc - first < 2)
		return cli_usage(c, "give a record id and at least one FIELD=VALUE");
	for (i = first + 1; i < c->argc; i++) {
		char *eq = strchr(c->argv[i], '=');

		if (!eq || eq == c->argv[i])
			return cli_usage(c, "'%s' is not FIELD=VALUE", c->argv[i]);
		if (n >= FB_EDIT_FIELDS_MAX)
			return cli_usage(c, "too many fields");
		*eq = '\0';
		fv[n].name = c->argv[i];
		fv[n].value = eq + 1;
		n++;
	}
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = book_edit(b, c->argv[first], fv, n, &changed, &c->err);
	if (rc == FB_OK && changed == 0)
		fprintf(stderr, "fieldbook: nothing changed\n");
	book_close(b);
	return rc;
}

static enum fb_code set_deleted(struct cli *c, int deleted)
{
	struct book *b = NULL;
	int first;
	enum fb_code rc;

	rc = cli_parse_opts(c, NULL, NULL, NULL, NULL, NULL, &first);
	if (rc != FB_OK || first < 0)
		return rc;
	if (c->argc - first != 1)
		return cli_usage(c, "give exactly one record id");
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = book_set_deleted(b, c->argv[first], deleted, &c->err);
	book_close(b);
	return rc;
}

enum fb_code cmd_delete(struct cli *c)
{
	return set_deleted(c, 1);
}

enum fb_code cmd_restore(struct cli *c)
{
	return set_deleted(c, 0);
}
