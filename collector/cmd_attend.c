/*
 * cmd_attend.c - fieldbook training attend|unattend TRAINING MEMBER...
 * The training and the members are ids, short ids, a title and names
 * (book_find.h).  All members of one call are recorded in one
 * transaction: either all of them or, on a bad one, none.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"

/*
 * Remove member mid's attendance of training tid: FB_ENOENT when it was
 * never recorded; *was_there 0 when it was removed before.
 */
static enum fb_code unattend_one(struct cmd_ctx *c, struct book *b, const char *tid,
				 const char *mid, int i, int *was_there)
{
	char id[FB_RECORD_ID_MAX + 1];
	struct record *r = NULL;
	enum fb_code rc;

	/* An attendance id is built from the two: a longer argument would
	 * be cut short into another id. */
	if (!model_valid_uuid(tid))
		return fb_fail(&c->err, FB_EINVAL, _("training_id: '%s' is not a record id"),
			       c->argv[0]);
	if (!model_valid_uuid(mid))
		return fb_fail(&c->err, FB_EINVAL, _("member_id: '%s' is not a record id"),
			       c->argv[i]);
	model_attendance_id(tid, mid, id);
	rc = book_get(b, id, &r, &c->err);
	if (rc == FB_ENOENT)
		return fb_fail(&c->err, rc, _("member %s is not recorded as attending training %s"),
			       c->argv[i], c->argv[0]);
	if (rc != FB_OK)
		return rc;
	*was_there = !record_deleted(r);
	record_free(r);
	return book_set_deleted(b, id, 1, &c->err);
}

/* The member's name for a line of output, her id when not known. */
static const char *member_name(const struct book_names *n, const char *id)
{
	const struct book_name *e = book_names_get(n, id);

	return e ? e->label : id;
}

static enum fb_code attend(struct cmd_ctx *c, int remove)
{
	char id[FB_RECORD_ID_MAX + 1], tid[FB_RECORD_ID_MAX + 1], mid[FB_RECORD_ID_MAX + 1];
	struct fb_buf out = FB_BUF_INIT(0), gone = FB_BUF_INIT(0), absent = FB_BUF_INIT(0);
	struct book_names *names = NULL;
	struct book *b = NULL;
	size_t removed = 0;
	int i, there = 0;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = cli_names(c, b, &names)) != FB_OK ||
	    (rc = cli_find(c, names, c->argv[0], BOOK_FIND_TRAINING, tid)) != FB_OK)
		goto out;
	if (!model_valid_uuid(tid)) {
		rc = fb_fail(&c->err, FB_EINVAL, _("training_id: '%s' is not a record id"),
			     c->argv[0]);
		goto out;
	}
	if ((rc = book_begin(b, &c->err)) != FB_OK)
		goto out;
	for (i = 1; i < c->argc && rc == FB_OK; i++) {
		if ((rc = cli_find(c, names, c->argv[i], BOOK_FIND_MEMBER, mid)) != FB_OK)
			break;
		if (remove) {
			struct fb_buf *to;

			if ((rc = unattend_one(c, b, tid, mid, i, &there)) != FB_OK)
				break;
			to = there ? &gone : &absent;
			removed += there;
			if (buf_printf(to, "%s%s", to->len ? ", " : "", member_name(names, mid)) != FB_OK)
				rc = fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
		} else {
			struct field_value fv[] = {
				{ "training_id", tid },
				{ "member_id", mid },
			};
			rc = book_add(b, REC_ATTENDANCE, NULL, fv, 2, id, &c->err);
			if (rc == FB_OK && buf_printf(&out, "%s\n", id) != FB_OK)
				rc = fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
		}
	}
	if (rc == FB_OK)
		rc = book_commit(b, &c->err);
	else
		book_rollback(b);
	if (rc == FB_OK && !remove) {
		fputs(buf_str(&out), stdout);
	} else if (rc == FB_OK) {
		/* One line: who was removed, and who was not there. */
		if (removed)
			printf(_("removed %s from %s"), buf_str(&gone),
			       cli_describe(names, tid, REC_TRAINING));
		else
			printf(_("nobody removed from %s"), cli_describe(names, tid, REC_TRAINING));
		if (absent.len)
			printf(strchr(buf_str(&absent), ',') ? _("; %s were not attending")
							     : _("; %s was not attending"),
			       buf_str(&absent));
		printf("\n");
	}
out:
	buf_release(&out);
	buf_release(&gone);
	buf_release(&absent);
	book_names_close(names);
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
	.usage = "training attend TRAINING MEMBER...",
	.help = N_("record who attended; prints each attendance id"),
	.args_min = 2,
	.args_max = CMD_ARGS_ANY,
	.too_few = N_("give a training and at least one member"),
	.run = training_attend,
};

const struct cmd_entry cmd_training_unattend_entry = {
	.name = "training unattend",
	.usage = "training unattend TRAINING MEMBER...",
	.help = N_("remove attendances recorded by mistake"),
	.args_min = 2,
	.args_max = CMD_ARGS_ANY,
	.too_few = N_("give a training and at least one member"),
	.run = training_unattend,
};
