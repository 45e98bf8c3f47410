/* cmd_edit.c - fieldbook edit ID FIELD=VALUE..., delete ID, restore ID. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static enum fb_code edit(struct cmd_ctx *c)
{
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	struct book *b = NULL;
	size_t n = 0, changed = 0;
	int i;
	enum fb_code rc;

	for (i = 1; i < c->argc; i++) {
		char *eq = strchr(c->argv[i], '=');

		if (!eq || eq == c->argv[i])
			return cmd_usage(c, "'%s' is not FIELD=VALUE", c->argv[i]);
		if (n >= FB_EDIT_FIELDS_MAX)
			return cmd_usage(c, "too many fields");
		*eq = '\0';
		fv[n].name = c->argv[i];
		fv[n].value = eq + 1;
		n++;
	}
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = book_edit(b, c->argv[0], fv, n, &changed, &c->err);
	if (rc == FB_OK && changed == 0)
		fprintf(stderr, "fieldbook: nothing changed\n");
	book_close(b);
	return rc;
}

static enum fb_code set_deleted(struct cmd_ctx *c, int deleted)
{
	struct book *b = NULL;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = book_set_deleted(b, c->argv[0], deleted, &c->err);
	book_close(b);
	return rc;
}

static enum fb_code delete(struct cmd_ctx *c)
{
	return set_deleted(c, 1);
}

static enum fb_code restore(struct cmd_ctx *c)
{
	return set_deleted(c, 0);
}

const struct cmd_entry cmd_edit_entry = {
	.name = "edit",
	.usage = "edit ID FIELD=VALUE...",
	.help = "change fields of a record",
	.args_min = 2,
	.args_max = CMD_ARGS_ANY,
	.too_few = "give a record id and at least one FIELD=VALUE",
	.run = edit,
};

const struct cmd_entry cmd_delete_entry = {
	.name = "delete",
	.usage = "delete ID",
	.help = "delete a record (it can be restored)",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give exactly one record id",
	.too_many = "give exactly one record id",
	.run = delete,
};

const struct cmd_entry cmd_restore_entry = {
	.name = "restore",
	.usage = "restore ID",
	.help = "undo a delete",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give exactly one record id",
	.too_many = "give exactly one record id",
	.run = restore,
};
