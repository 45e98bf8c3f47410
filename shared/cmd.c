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
#include "collate.h"
#include "i18n.h"

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
	return fb_fail(&c->err, FB_EUSAGE, _("%s (see '%s %s --help')"), msg, c->prog,
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

size_t cmd_distance(const char *a, const char *b, size_t limit)
{
	enum { MAXLEN = 64 };
	size_t row[3][MAXLEN + 1], la = strlen(a), lb = strlen(b), i, j;

	if (la > MAXLEN || lb > MAXLEN || (la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (j = 0; j <= lb; j++)
		row[0][j] = j;
	for (i = 1; i <= la; i++) {
		size_t *cur = row[i % 3], *up = row[(i - 1) % 3], *up2 = row[(i + 1) % 3];

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], d = up[j - 1] + cost;

			if (up[j] + 1 < d)
				d = up[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    up2[j - 2] + 1 < d)
				d = up2[j - 2] + 1;
			cur[j] = d;
		}
	}
	return row[la % 3][lb] > limit ? limit + 1 : row[la % 3][lb];
}

const char *cmd_nearest(const char *typed, const char *const *words, size_t n)
{
	size_t limit = strlen(typed) <= 4 ? 1 : 2, best = limit + 1, i, d;
	const char *near = NULL;

	for (i = 0; i < n; i++) {
		if (!words[i] || !strcmp(words[i], typed))
			continue;
		d = cmd_distance(typed, words[i], limit);
		if (d < best) {
			best = d;
			near = words[i];
		}
	}
	return near;
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
				return cmd_usage(c, _("--%s given twice"), o->name);
	if (c->ngiven >= CMD_GIVEN_MAX)
		return cmd_usage(c, _("too many options"));
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
		const char *names[CMD_GIVEN_MAX], *near = NULL;
		size_t n = 0;

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - w) : (int)strlen(w), w);
		for (o = c->entry->options; w[1] == '-' && o && o->name && n < CMD_GIVEN_MAX; o++)
			names[n++] = o->name;
		if (n)
			near = cmd_nearest(name + 2, names, n);
		if (near)
			return cmd_usage(c, _("unknown option '%s'; did you mean '--%s'?"), name, near);
		return cmd_usage(c, _("unknown option '%s'"), name);
	}
	if (!o->arg) {
		if (v)
			return cmd_usage(c, _("option '--%s' takes no value"), o->name);
		return give(c, o, NULL);
	}
	if (!v) {
		if (*i + 1 >= argc)
			return cmd_usage(c, _("option '%s' needs a value"), w);
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
		return cmd_usage(c, "%s", e->too_few ? _(e->too_few) : _("missing argument"));
	if (e->args_max != CMD_ARGS_ANY && n > e->args_max) {
		if (e->too_many)
			return cmd_usage(c, "%s", _(e->too_many));
		return cmd_usage(c, _("unexpected argument '%s'"), c->argv[e->args_max]);
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

	/* The usage line stays as it is typed, in every language. */
	rc = buf_printf(out, _("usage: %s %s\n"), prog, e->usage);
	if (rc == FB_OK)
		rc = buf_printf(out, "\n%s\n", fb_tr(e->help));
	if (rc == FB_OK && e->options && e->options->name)
		rc = buf_adds(out, _("\noptions:\n"));
	for (o = e->options; rc == FB_OK && o && o->name; o++) {
		char head[96];

		if (o->letter)
			snprintf(head, sizeof(head), "-%c, --%s%s%s", o->letter, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(head, sizeof(head), "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		rc = buf_printf(out, "  %-28s %s\n", head, fb_tr(o->help));
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
			rc = buf_printf(out, "  %-18s %s\n", table[i]->name, fb_tr(table[i]->help));
	}
	return rc;
}

/* The program's --help: synopsis, what it is, its commands. */
static enum fb_code program_help(const struct cmd_program *p, struct fb_buf *out)
{
	enum fb_code rc;

	rc = buf_printf(out, _("usage: %s %s\n"), p->name, p->synopsis);
	if (rc == FB_OK)
		rc = buf_printf(out, _("\n%s\n\nCommands:\n"), fb_tr(p->about));
	if (rc == FB_OK)
		rc = cmd_list(p->table, p->n, p->name, NULL, out);
	if (rc == FB_OK && p->footer)
		rc = buf_printf(out, "\n%s", fb_tr(p->footer));
	return rc;
}

/* A group's usage lines ("member --help", "help member"). */
static enum fb_code group_help(const struct cmd_program *p, struct cmd_ctx *c,
			       const char *group, struct fb_buf *out)
{
	enum fb_code rc = buf_adds(out, _("usage:\n"));

	c->help = 1;
	return rc == FB_OK ? cmd_list(p->table, p->n, p->name, group, out) : rc;
}

#define WORDS_MAX 64            /* commands of one program, for suggestions */
#define WORD_MAX  32

/*
 * The words a typo of argv[0] may have meant: the first words of the
 * program's commands, or with group, the verbs of that group; each
 * once, into w (room for WORDS_MAX), pointing into room.
 */
static size_t words_of(const struct cmd_program *p, const char *group,
		       const char *w[WORDS_MAX], char room[WORDS_MAX][WORD_MAX])
{
	size_t i, j, n = 0;

	for (i = 0; i < p->n && n < WORDS_MAX; i++) {
		const char *name = p->table[i]->name, *sp = strchr(name, ' ');

		if (group) {
			if (!in_group(p->table[i], group))
				continue;
			snprintf(room[n], WORD_MAX, "%s", sp + 1);
		} else {
			snprintf(room[n], WORD_MAX, "%.*s",
				 sp ? (int)(sp - name) : (int)strlen(name), name);
		}
		for (j = 0; j < n && strcmp(room[j], room[n]); j++)
			;
		if (j == n) {
			w[n] = room[n];
			n++;
		}
	}
	return n;
}

/* argv[0] names no command: a group's help, or say what is wrong, and
 * what was probably meant. */
static enum fb_code no_command(const struct cmd_program *p, struct cmd_ctx *c,
			       int argc, char **argv, struct fb_buf *out)
{
	struct fb_buf verbs = FB_BUF_INIT(0);
	char room[WORDS_MAX][WORD_MAX];
	const char *w[WORDS_MAX], *near;
	enum fb_code rc;
	int words = 0;

	if (argc > 1 && !strcmp(argv[1], "--help") &&
	    cmd_group_verbs(p->table, p->n, argv[0], &verbs)) {
		buf_release(&verbs);
		return group_help(p, c, argv[0], out);
	}
	buf_reset(&verbs);
	if (cmd_group_verbs(p->table, p->n, argv[0], &verbs)) {
		near = argc > 1 && argv[1][0] != '-'
			? cmd_nearest(argv[1], w, words_of(p, argv[0], w, room)) : NULL;
		if (near)
			rc = fb_fail(&c->err, FB_EUSAGE, _("unknown command '%s %s'; did you mean"
				       " '%s %s'? (see '%s %s --help')"), argv[0], argv[1],
				     argv[0], near, p->name, argv[0]);
		else
			rc = fb_fail(&c->err, FB_EUSAGE, _("'%s' needs one of: %s (see '%s %s --help')"),
				     argv[0], buf_str(&verbs), p->name, argv[0]);
		buf_release(&verbs);
		return rc;
	}
	buf_release(&verbs);
	near = cmd_nearest(argv[0], w, words_of(p, NULL, w, room));
	if (!near)
		return fb_fail(&c->err, FB_EUSAGE, _("unknown command '%s' (see '%s --help')"),
			       argv[0], p->name);
	/* "membr add": the group, with the verb when it is one of its. */
	if (argc > 1) {
		char *fixed[2] = { (char *)near, argv[1] };

		if (cmd_find(p->table, p->n, 2, fixed, &words) && words == 2)
			return fb_fail(&c->err, FB_EUSAGE, _("unknown command '%s'; did you mean"
				         " '%s %s'? (see '%s --help')"), argv[0], near, argv[1],
				       p->name);
	}
	return fb_fail(&c->err, FB_EUSAGE, _("unknown command '%s'; did you mean '%s'?"
		         " (see '%s --help')"), argv[0], near, p->name);
}

/* `help`, `help COMMAND`, `help GROUP`: what --help would show. */
static enum fb_code help_command(const struct cmd_program *p, struct cmd_ctx *c,
				 int argc, char **argv, struct fb_buf *out)
{
	const struct cmd_entry *e;
	int words = 0;

	if (argc < 1) {
		c->help = 1;
		return program_help(p, out);
	}
	e = cmd_find(p->table, p->n, argc, argv, &words);
	if (e && words == argc) {
		c->help = 1;
		c->entry = e;
		return cmd_help(e, p->name, out);
	}
	if (e)
		return fb_fail(&c->err, FB_EUSAGE, _("help takes one command, not '%s'"
			         " (see '%s help')"), argv[words], p->name);
	if (argc == 1) {
		struct fb_buf verbs = FB_BUF_INIT(0);
		int group = cmd_group_verbs(p->table, p->n, argv[0], &verbs);

		buf_release(&verbs);
		if (group)
			return group_help(p, c, argv[0], out);
	}
	return no_command(p, c, argc, argv, out);
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
				return fb_fail(&c->err, FB_EUSAGE, _("--db needs a path"));
			db_opt = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			db_opt = argv[i] + 5;
		} else if (p->store_option && !strcmp(argv[i], "--store")) {
			if (i + 1 >= argc)
				return fb_fail(&c->err, FB_EUSAGE, _("--store needs a URI"));
			c->store = argv[++i];
		} else if (p->store_option && !strncmp(argv[i], "--store=", 8)) {
			c->store = argv[i] + 8;
		} else {
			return fb_fail(&c->err, FB_EUSAGE, _("unknown option '%s' (see '%s --help')"),
				       argv[i], p->name);
		}
	}
	if (i >= argc)
		return fb_fail(&c->err, FB_EUSAGE, _("give a command (see '%s --help')"), p->name);
	if (!strcmp(argv[i], "help"))
		return help_command(p, c, argc - i - 1, argv + i + 1, out);
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

	fb_i18n_init(argc > 0 ? argv[0] : NULL);
	/* What the programs create (databases, exports) is owner-only. */
	umask(077);
	if (!c) {
		fprintf(stderr, _("%s: out of memory\n"), p->name);
		return EX_OSERR;
	}
	rc = cmd_main(p, argc, argv, c, &out);
	if (rc == FB_OK && out.len && fputs(buf_str(&out), stdout) < 0)
		rc = fb_fail(&c->err, FB_EIO, _("cannot write output"));
	buf_release(&out);
	if (rc == FB_OK && fflush(stdout) != 0)
		rc = fb_fail(&c->err, FB_EIO, _("cannot write output"));
	if (rc != FB_OK) {
		fprintf(stderr, "%s: %s\n", p->name, c->err.msg[0] ? c->err.msg : fb_strerror(rc));
		if (c->detail.len)
			fputs(buf_str(&c->detail), stderr);
		status = fb_exit_status(rc);
	}
	buf_release(&c->detail);
	free(c);
	/* Every book is closed by now: ICU leaves nothing behind. */
	fb_collate_cleanup();
	return status;
}
