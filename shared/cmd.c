/*
 * cmd.c - the one parser and dispatcher of both programs' command
 * tables (cmd.h).  Long options match their whole name (no prefixes),
 * "--name=value" and "--name value" are the same, "--" ends the options,
 * and options and arguments may come in any order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>

#include "book.h"
#include "cmd.h"

const struct cmd_entry *cmd_find(const struct cmd_entry *const *table, size_t n,
				 int argc, char **argv, int *words)
{
	size_t i, len;

	for (i = 0; argc >= 1 && i < n; i++) {
		const char *name = table[i]->name, *sp = strchr(name, ' ');

		if (!sp) {
			if (!strcmp(argv[0], name)) {
				*words = 1;
				return table[i];
			}
			continue;
		}
		len = (size_t)(sp - name);
		if (argc >= 2 && strlen(argv[0]) == len && !strncmp(argv[0], name, len) &&
		    !strcmp(argv[1], sp + 1)) {
			*words = 2;
			return table[i];
		}
	}
	return NULL;
}

/* 1 if entry e is a verb of group ("training" for "training add"). */
static int in_group(const struct cmd_entry *e, const char *group)
{
	size_t len = strlen(group);

	return !strncmp(e->name, group, len) && e->name[len] == ' ';
}

int cmd_group_verbs(const struct cmd_entry *const *table, size_t n,
		    const char *group, struct fb_buf *out)
{
	size_t i;
	int found = 0;

	for (i = 0; i < n; i++) {
		if (!in_group(table[i], group))
			continue;
		if (buf_printf(out, "%s%s", found ? ", " : "",
			       table[i]->name + strlen(group) + 1) != FB_OK)
			return 0;
		found = 1;
	}
	return found;
}

enum fb_code cmd_usage(struct cmd_ctx *c, const char *fmt, ...)
{
	char msg[FB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fb_fail(&c->err, FB_EUSAGE, "%s (see '%s %s --help')", msg, c->prog,
		       c->entry->name);
}

static const struct cmd_option *find_long(const struct cmd_entry *e, const char *s,
					  size_t len)
{
	const struct cmd_option *o;

	for (o = e->options; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, s, len))
			return o;
	return NULL;
}

static const struct cmd_option *find_letter(const struct cmd_entry *e, char ch)
{
	const struct cmd_option *o;

	for (o = e->options; o && o->name; o++)
		if (o->letter && o->letter == ch)
			return o;
	return NULL;
}

/* Record option o with value v (NULL for a flag). */
static enum fb_code give(struct cmd_ctx *c, const struct cmd_option *o, const char *v)
{
	size_t i;

	if (o->arg)
		for (i = 0; i < c->ngiven; i++)
			if (c->given[i].opt == o)
				return cmd_usage(c, "--%s given twice", o->name);
	if (c->ngiven >= CMD_GIVEN_MAX)
		return cmd_usage(c, "too many options");
	c->given[c->ngiven].opt = o;
	c->given[c->ngiven].value = o->arg ? v : "1";
	c->ngiven++;
	return FB_OK;
}

/*
 * One option word at argv[*i]; a value that is the next word moves *i
 * on.  FB_OK or a usage error.
 */
static enum fb_code option(struct cmd_ctx *c, int argc, char **argv, int *i)
{
	const char *w = argv[*i], *eq = NULL, *v = NULL;
	const struct cmd_option *o;

	if (w[1] == '-') {
		eq = strchr(w + 2, '=');
		o = find_long(c->entry, w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));
		if (eq)
			v = eq + 1;
	} else {
		o = w[2] ? NULL : find_letter(c->entry, w[1]);
		if (!o && w[2] && find_letter(c->entry, w[1]) &&
		    find_letter(c->entry, w[1])->arg) {
			o = find_letter(c->entry, w[1]);
			v = w + 2;      /* -ofile */
		}
	}
	if (!o) {
		char name[FB_ERRMSG_MAX / 4];

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - w) : (int)strlen(w), w);
		return cmd_usage(c, "unknown option '%s'", name);
	}
	if (!o->arg) {
		if (v)
			return cmd_usage(c, "option '--%s' takes no value", o->name);
		return give(c, o, NULL);
	}
	if (!v) {
		if (*i + 1 >= argc)
			return cmd_usage(c, "option '%s' needs a value", w);
		v = argv[++*i];
	}
	return give(c, o, v);
}

enum fb_code cmd_parse(struct cmd_ctx *c, const struct cmd_entry *e,
		       int argc, char **argv)
{
	int i, n = 0, dashdash = 0;
	enum fb_code rc;

	c->entry = e;
	c->ngiven = 0;
	c->help = 0;
	c->argv = argv + 1;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help")) {
			c->help = 1;
			return FB_OK;
		}
	/* Positional arguments are packed to the front of argv + 1, in
	 * order; options are taken out as they come. */
	for (i = 1; i < argc; i++) {
		char *w = argv[i];

		if (!dashdash && !strcmp(w, "--")) {
			dashdash = 1;
		} else if (!dashdash && w[0] == '-' && w[1]) {
			if ((rc = option(c, argc, argv, &i)) != FB_OK)
				return rc;
		} else {
			c->argv[n++] = w;
		}
	}
	c->argc = n;
	if (n < e->args_min)
		return cmd_usage(c, "%s", e->too_few ? e->too_few : "missing argument");
	if (e->args_max != CMD_ARGS_ANY && n > e->args_max) {
		if (e->too_many)
			return cmd_usage(c, "%s", e->too_many);
		return cmd_usage(c, "unexpected argument '%s'", c->argv[e->args_max]);
	}
	return FB_OK;
}

const char *cmd_get(const struct cmd_ctx *c, const char *name)
{
	size_t i = c->ngiven;

	while (i-- > 0)
		if (!strcmp(c->given[i].opt->name, name))
			return c->given[i].value;
	return NULL;
}

int cmd_has(const struct cmd_ctx *c, const char *name)
{
	return cmd_get(c, name) != NULL;
}

size_t cmd_fields(const struct cmd_ctx *c, struct field_value *fv, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < c->ngiven && n < max; i++) {
		if (!c->given[i].opt->field)
			continue;
		fv[n].name = c->given[i].opt->field;
		fv[n].value = c->given[i].value;
		n++;
	}
	return n;
}

enum fb_code cmd_help(const struct cmd_entry *e, const char *prog, struct fb_buf *out)
{
	const struct cmd_option *o;
	enum fb_code rc;

	rc = buf_printf(out, "usage: %s %s\n\n%s\n", prog, e->usage, e->help);
	if (rc == FB_OK && e->options && e->options->name)
		rc = buf_adds(out, "\noptions:\n");
	for (o = e->options; rc == FB_OK && o && o->name; o++) {
		char head[96];

		if (o->letter)
			snprintf(head, sizeof(head), "-%c, --%s%s%s", o->letter, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(head, sizeof(head), "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		rc = buf_printf(out, "  %-28s %s\n", head, o->help ? o->help : "");
	}
	if (rc == FB_OK && e->help_extra && (rc = buf_addc(out, '\n')) == FB_OK)
		rc = e->help_extra(out);
	return rc;
}

enum fb_code cmd_list(const struct cmd_entry *const *table, size_t n,
		      const char *prog, const char *group, struct fb_buf *out)
{
	enum fb_code rc = FB_OK;
	size_t i;

	for (i = 0; rc == FB_OK && i < n; i++) {
		if (group && in_group(table[i], group))
			rc = buf_printf(out, "  %s %s\n", prog, table[i]->usage);
		else if (!group)
			rc = buf_printf(out, "  %-18s %s\n", table[i]->name, table[i]->help);
	}
	return rc;
}

/* The program's --help: synopsis, what it is, its commands. */
static enum fb_code program_help(const struct cmd_program *p, struct fb_buf *out)
{
	enum fb_code rc;

	rc = buf_printf(out, "usage: %s %s\n\n%s\n\nCommands:\n", p->name, p->synopsis,
			p->about);
	if (rc == FB_OK)
		rc = cmd_list(p->table, p->n, p->name, NULL, out);
	if (rc == FB_OK && p->footer)
		rc = buf_printf(out, "\n%s", p->footer);
	return rc;
}

/* argv[0] names no command: a group's help, or say what is wrong. */
static enum fb_code no_command(const struct cmd_program *p, struct cmd_ctx *c,
			       int argc, char **argv, struct fb_buf *out)
{
	struct fb_buf verbs = FB_BUF_INIT(0);
	enum fb_code rc;

	if (argc > 1 && !strcmp(argv[1], "--help") &&
	    cmd_group_verbs(p->table, p->n, argv[0], &verbs)) {
		buf_release(&verbs);
		c->help = 1;
		rc = buf_adds(out, "usage:\n");
		return rc == FB_OK ? cmd_list(p->table, p->n, p->name, argv[0], out) : rc;
	}
	buf_reset(&verbs);
	if (cmd_group_verbs(p->table, p->n, argv[0], &verbs))
		rc = fb_fail(&c->err, FB_EUSAGE, "'%s' needs one of: %s (see '%s %s --help')",
			     argv[0], buf_str(&verbs), p->name, argv[0]);
	else
		rc = fb_fail(&c->err, FB_EUSAGE, "unknown command '%s' (see '%s --help')",
			     argv[0], p->name);
	buf_release(&verbs);
	return rc;
}

enum fb_code cmd_main(const struct cmd_program *p, int argc, char **argv,
		      struct cmd_ctx *c, struct fb_buf *out)
{
	const struct cmd_entry *e;
	const char *db_opt = NULL;
	enum fb_code rc;
	int i, words = 0;

	c->prog = p->name;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			c->help = 1;
			return program_help(p, out);
		} else if (!strcmp(argv[i], "--version")) {
			c->help = 1;
			return buf_printf(out, "%s %s\n", p->name, p->version);
		} else if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= argc)
				return fb_fail(&c->err, FB_EUSAGE, "--db needs a path");
			db_opt = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			db_opt = argv[i] + 5;
		} else {
			return fb_fail(&c->err, FB_EUSAGE, "unknown option '%s' (see '%s --help')",
				       argv[i], p->name);
		}
	}
	if (i >= argc)
		return fb_fail(&c->err, FB_EUSAGE, "give a command (see '%s --help')", p->name);
	if (!strcmp(argv[i], "help")) {
		c->help = 1;
		return program_help(p, out);
	}
	e = cmd_find(p->table, p->n, argc - i, argv + i, &words);
	if (!e)
		return no_command(p, c, argc - i, argv + i, out);
	i += words - 1;
	if ((rc = cmd_parse(c, e, argc - i, argv + i)) != FB_OK)
		return rc;
	if (c->help)
		return cmd_help(e, p->name, out);
	if ((rc = p->locate_db(c, db_opt)) != FB_OK)
		return rc;
	return e->run(c);
}

int cmd_run(const struct cmd_program *p, int argc, char **argv)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct cmd_ctx *c = calloc(1, sizeof(*c));
	enum fb_code rc;
	int status = 0;

	/* What the programs create (databases, exports) is owner-only. */
	umask(077);
	if (!c) {
		fprintf(stderr, "%s: out of memory\n", p->name);
		return EX_OSERR;
	}
	rc = cmd_main(p, argc, argv, c, &out);
	if (rc == FB_OK && out.len && fputs(buf_str(&out), stdout) < 0)
		rc = fb_fail(&c->err, FB_EIO, "cannot write output");
	buf_release(&out);
	if (rc == FB_OK && fflush(stdout) != 0)
		rc = fb_fail(&c->err, FB_EIO, "cannot write output");
	if (rc != FB_OK) {
		fprintf(stderr, "%s: %s\n", p->name, c->err.msg[0] ? c->err.msg : fb_strerror(rc));
		status = fb_exit_status(rc);
	}
	free(c);
	return status;
}
