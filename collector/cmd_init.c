/*
 * cmd_init.c - fieldbook init: create the branch's database, or correct
 * the branch code typed at init while nothing has been sent
 * (--fix-branch; book_set_branch).
 */
#include <stdio.h>
#include <string.h>

#include "book_view.h"
#include "commands.h"
#include "i18n.h"
#include "text.h"

/* --fix-branch CODE: the book's branch code becomes CODE. */
static enum fb_code fix_branch(struct cmd_ctx *c, const char *code, const char *name)
{
	char old[FB_BRANCH_CODE_MAX + 1];
	struct book *b = NULL;
	size_t moved = 0;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	snprintf(old, sizeof(old), "%s", book_branch(b));
	rc = book_set_branch(b, code, name, &moved, &c->err);
	if (rc == FB_OK)
		printf(_("branch corrected: %s is now %s (%zu changes rewritten; nothing had"
		         " been sent)\n"), old, book_branch(b), moved);
	book_close(b);
	return rc;
}

static enum fb_code init(struct cmd_ctx *c)
{
	const char *branch = cmd_get(c, "branch"), *name = cmd_get(c, "name");
	const char *fix = cmd_get(c, "fix-branch");
	enum fb_code rc;

	if (name && !text_valid_utf8(name, strlen(name)))
		return fb_fail(&c->err, FB_EINVAL, _("--name: invalid UTF-8"));
	if (fix && branch)
		return cmd_usage(c, _("give --branch CODE (a new database) or --fix-branch CODE"
				   " (correct this one's), not both"));
	if (fix)
		return fix_branch(c, fix, name);
	if (!branch)
		return cmd_usage(c, _("--branch CODE is required"));
	rc = book_create(c->db_path, branch, name ? name : "", &c->err);
	if (rc == FB_OK)
		printf("%s\n", c->db_path);
	return rc;
}

static const struct cmd_option init_opts[] = {
	{ "branch", 0, "CODE", NULL, N_("the branch's unit code, for a new database") },
	{ "name", 0, "NAME", NULL, N_("the branch's name") },
	{ "fix-branch", 0, "CODE", NULL,
	  N_("correct the branch code of this database, while nothing has been sent") },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.usage = "init (--branch CODE | --fix-branch CODE) [--name NAME]",
	.help = N_("create the database for a branch, or correct its branch code"),
	.options = init_opts,
	.run = init,
};
