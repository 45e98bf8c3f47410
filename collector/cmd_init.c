/* cmd_init.c - fieldbook init: create the branch's database. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "text.h"

static enum fb_code init(struct cmd_ctx *c)
{
	const char *branch = cmd_get(c, "branch"), *name = cmd_get(c, "name");
	enum fb_code rc;

	if (!name)
		name = "";
	if (!branch)
		return cmd_usage(c, "--branch CODE is required");
	if (!text_valid_utf8(name, strlen(name)))
		return fb_fail(&c->err, FB_EINVAL, "--name: invalid UTF-8");
	rc = book_create(c->db_path, branch, name, &c->err);
	if (rc == FB_OK)
		printf("%s\n", c->db_path);
	return rc;
}

static const struct cmd_option init_opts[] = {
	{ "branch", 0, "CODE", NULL, "the branch's unit code (required)" },
	{ "name", 0, "NAME", NULL, "the branch's name" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.usage = "init --branch CODE [--name NAME]",
	.help = "create the database for a branch",
	.options = init_opts,
	.run = init,
};
