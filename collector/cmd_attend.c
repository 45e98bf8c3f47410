/*
 * cmd_attend.c - fieldbook training attend|unattend TRAINING MEMBER...
 * All members of one call are recorded in one transaction: either all
 * of them or, on a bad id, none.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static enum fb_code attend(struct cli *c, int remove)
{
	char id[FB_RECORD_ID_MAX + 1];
	struct fb_buf out = FB_BUF_INIT(0);
	struct book *b = NULL;
	int first, i;
	enum fb_code rc;

	rc = cli_parse_opts(c, NULL, NULL, NULL, NULL, NULL, &first);
	if (rc != FB_OK || first < 0)
		return rc;
	if (c->argc - first < 2)
		return cli_usage(c, "give a training id and at least one member id");
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = book_begin(b, &c->err)) != FB_OK)
		goto out;
	for (i = first + 1; i < c->argc && rc == FB_OK; i++) {
		if (remove) {
			/* An attendance id is built from the two: a longer
			 * argument would be cut short into another id. */
			if (!model_valid_uuid(c->argv[first])) {
				rc = fb_fail(&c->err, FB_EINVAL,
					     "training_id: '%s' is not a record id", c->argv[first]);
				break;
			}
			if (!model_valid_uuid(c->argv[i])) {
				rc = fb_fail(&c->err, FB_EINVAL,
					     "member_id: '%s' is not a record id", c->argv[i]);
				break;
			}
			model_attendance_id(c->argv[first], c->argv[i], id);
			rc = book_set_deleted(b, id, 1, &c->err);
			if (rc == FB_ENOENT)
				fb_fail(&c->err, rc, "member %s is not recorded as attending training %s",
					c->argv[i], c->argv[first]);
		} else {
			struct field_value fv[] = {
				{ "training_id", c->argv[first] },
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

enum fb_code cmd_training_attend(struct cli *c)
{
	return attend(c, 0);
}

enum fb_code cmd_training_unattend(struct cli *c)
{
	return attend(c, 1);
}
