/* cmd_init.c - fieldbook init: create the branch's database. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "text.h"

enum fb_code cmd_init(struct cli *c)
{
	static const struct opt_field opts[] = {
		{ "branch", "branch" }, { "name", "name" }, { NULL, NULL }
	};
	struct field_value fv[2];
	const char *branch = NULL, *name = "";
	size_t n, i;
	int first;
	enum fb_code rc;

	rc = cli_parse_opts(c, opts, fv, &n, NULL, NULL, &first);
	if (rc != FB_OK || first < 0)
		return rc;
	if (first < c->argc)
		return cli_usage(c, "unexpected argument '%s'", c->argv[first]);
	for (i = 0; i < n; i++) {
		if (!strcmp(fv[i].name, "branch"))
			branch = fv[i].value;
		else
			name = fv[i].value;
	}
	if (!branch)
		return cli_usage(c, "--branch CODE is required");
	if (!text_valid_utf8(name, strlen(name)))
		return fb_fail(&c->err, FB_EINVAL, "--name: invalid UTF-8");
	rc = book_create(c->db_path, branch, name, &c->err);
	if (rc == FB_OK)
		printf("%s\n", c->db_path);
	return rc;
}
