/*
 * main.c - the `fieldbook` program: global options, the table of
 * commands, and the one place that prints errors and picks the exit
 * status (sysexits.h, see README).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"

#define FIELDBOOK_VERSION "0.1.0"

static const struct cmd_entry *const commands[] = {
	&cmd_init_entry,
	&cmd_member_add_entry,
	&cmd_training_add_entry,
	&cmd_training_attend_entry,
	&cmd_training_unattend_entry,
	&cmd_visit_add_entry,
	&cmd_edit_entry,
	&cmd_delete_entry,
	&cmd_restore_entry,
	&cmd_show_entry,
	&cmd_list_entry,
	&cmd_report_entry,
	&cmd_export_entry,
	&cmd_import_entry,
	&cmd_log_entry,
	&cmd_verify_entry,
	&cmd_status_entry,
	&cmd_remote_set_entry,
	&cmd_sync_entry,
	&cmd_conflicts_entry,
	&cmd_resolve_entry,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Print what b holds on f; 0 when it could not be built or written. */
static int print_buf(FILE *f, enum fb_code built, struct fb_buf *b)
{
	int ok = built == FB_OK && fputs(buf_str(b), f) >= 0;

	buf_release(b);
	return ok;
}

static void print_help(FILE *f)
{
	struct fb_buf b = FB_BUF_INIT(0);

	fprintf(f, "usage: fieldbook [--db PATH] COMMAND [ARGS]\n\n"
		   "Record a Women's Union branch's trainings and support visits.\n\n"
		   "Commands:\n");
	print_buf(f, cmd_list(commands, NCOMMANDS, "fieldbook", NULL, &b), &b);
	fprintf(f, "\nThe database is --db PATH, else $FIELDBOOK_DB, else\n"
		   "$XDG_DATA_HOME/fieldbook/fieldbook.db (~/.local/share/...).\n"
		   "'fieldbook COMMAND --help' shows a command's options.\n");
}

/* --db PATH, $FIELDBOOK_DB, or the XDG data directory. */
static char *db_path(const char *opt)
{
	const char *env = getenv("FIELDBOOK_DB"), *xdg = getenv("XDG_DATA_HOME"),
		   *home = getenv("HOME");
	char *p = NULL;

	if (opt)
		return strdup(opt);
	if (env && *env)
		return strdup(env);
	if (xdg && *xdg) {
		if (asprintf(&p, "%s/fieldbook/fieldbook.db", xdg) < 0)
			return NULL;
	} else if (asprintf(&p, "%s/.local/share/fieldbook/fieldbook.db",
			    home && *home ? home : ".") < 0) {
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	const char *db_opt = NULL;
	const struct cmd_entry *cmd;
	struct cmd_ctx c;
	enum fb_code rc;
	int i, words = 0;

	umask(077);
	memset(&c, 0, sizeof(c));
	/* Global options come before the command. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_help(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("fieldbook %s\n", FIELDBOOK_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "fieldbook: --db needs a path\n");
				return fb_exit_status(FB_EUSAGE);
			}
			db_opt = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			db_opt = argv[i] + 5;
		} else {
			fprintf(stderr, "fieldbook: unknown option '%s' (see 'fieldbook --help')\n",
				argv[i]);
			return fb_exit_status(FB_EUSAGE);
		}
	}
	if (i >= argc) {
		fprintf(stderr, "fieldbook: give a command (see 'fieldbook --help')\n");
		return fb_exit_status(FB_EUSAGE);
	}
	if (!strcmp(argv[i], "help")) {
		print_help(stdout);
		return 0;
	}
	cmd = cmd_find(commands, NCOMMANDS, argc - i, argv + i, &words);
	if (!cmd) {
		struct fb_buf b = FB_BUF_INIT(0);
		int asked = i + 1 < argc && !strcmp(argv[i + 1], "--help");

		if (asked && cmd_list(commands, NCOMMANDS, "fieldbook", argv[i], &b) == FB_OK &&
		    b.len) {
			printf("usage:\n");
			return print_buf(stdout, FB_OK, &b) ? 0 : fb_exit_status(FB_EIO);
		}
		buf_reset(&b);
		if (cmd_group_verbs(commands, NCOMMANDS, argv[i], &b))
			fprintf(stderr, "fieldbook: '%s' needs one of: %s (see 'fieldbook %s --help')\n",
				argv[i], buf_str(&b), argv[i]);
		else
			fprintf(stderr, "fieldbook: unknown command '%s' (see 'fieldbook --help')\n",
				argv[i]);
		buf_release(&b);
		return fb_exit_status(FB_EUSAGE);
	}
	c.prog = "fieldbook";
	i += words - 1;
	rc = cmd_parse(&c, cmd, argc - i, argv + i);
	if (rc == FB_OK && c.help) {
		struct fb_buf b = FB_BUF_INIT(0);

		rc = cmd_help(cmd, "fieldbook", &b);
		if (rc == FB_OK && !print_buf(stdout, rc, &b))
			rc = fb_fail(&c.err, FB_EIO, "cannot write the help");
	} else if (rc == FB_OK) {
		c.db_path = db_path(db_opt);
		if (!c.db_path)
			rc = fb_fail(&c.err, FB_ENOMEM, "out of memory");
		else
			rc = cmd->run(&c);
		free((char *)c.db_path);
	}
	if (rc != FB_OK) {
		fprintf(stderr, "fieldbook: %s\n",
			c.err.msg[0] ? c.err.msg : fb_strerror(rc));
		return fb_exit_status(rc);
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "fieldbook: cannot write output\n");
		return fb_exit_status(FB_EIO);
	}
	return 0;
}
