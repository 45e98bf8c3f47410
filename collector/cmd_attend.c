/*
 * cmd_attend.c - fieldbook training attend|unattend TRAINING MEMBER...
 * All members of one call are recorded in one transaction: either all
 * of them or, on a bad id, none.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static enum fb_code attend(struct cmd_ctx *c, int remove)
{
	char id[FB_RECORD_ID_MAX + 1];
	struct fb_buf out = FB_BUF_INIT(0);
	struct book *b = NULL;
	int i;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = book_begin(b, &c->err)) != FB_OK)
		goto out;
	for (i = 1; i < c->argc && rc == FB_OK; i++) {
		if (remove) {
			/* An attendance id is built from the two: a longer
			 * argument would be cut short into another id. */
			if (!model_valid_uuid(c->argv[0])) {
				rc = fb_fail(&c->err, FB_EINVAL,
					     "training_id: '%s' is not a record id", c->argv[0]);
				break;
			}
			if (!model_valid_uuid(c->argv[i])) {
				rc = fb_fail(&c->err, FB_EINVAL,
					     "member_id: '%s' is not a record id", c->argv[i]);
				break;
			}
			model_attendance_id(c->argv[0], c->argv[i], id);
			rc = book_set_deleted(b, id, 1, &c->err);
			if (rc == FB_ENOENT)
				fb_fail(&c->err, rc, "member %s is not recorded as attending training %s",
					c->argv[i], c->argv[0]);
		} else {
			struct field_value fv[] = {
				{ "training_id", c->argv[0] },
				{ "member_id", c->argv[i] },
			};
			rc = book_add(b, REC_ATTENDANCE, NULL, fv, 2, id, &c->err);
		}
		if (rc == FB_OK && buf_printf(&out, "%s\n", id) != FB_OK)
			rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
	}
	if (rc == FB_OK)
		rc = book_commit(b, &c->err);
	else
		book_rollback(b);
	if (rc == FB_OK && !remove)
		fputs(buf_str(&out), stdout);
out:
	buf_release(&out);
	book_close(b);
	return rc;
}

static enum fb_code training_attend(struct cmd_ctx *c)
{
	return attend(c, 0);
}

static enum fb_code training_unattend(struct cmd_ctx *c)
{
	return attend(c, 1);
}

const struct cmd_entry cmd_training_attend_entry = {
	.name = "training attend",
	.usage = "training attend TRAINING_ID MEMBER_ID...",
	.help = "record who attended; prints each attendance id",
	.args_min = 2,
	.args_max = CMD_ARGS_ANY,
	.too_few = "give a training id and at least one member id",
	.run = training_attend,
};

const struct cmd_entry cmd_training_unattend_entry = {
	.name = "training unattend",
	.usage = "training unattend TRAINING_ID MEMBER_ID...",
	.help = "remove attendances recorded by mistake",
	.args_min = 2,
	.args_max = CMD_ARGS_ANY,
	.too_few = "give a training id and at least one member id",
	.run = training_unattend,
};
