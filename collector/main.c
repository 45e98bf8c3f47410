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

static const struct command commands[] = {
	{ "init", cmd_init,
	  "fieldbook init --branch CODE [--name NAME]",
	  "create the database for a branch" },
	{ "member add", cmd_member_add,
	  "fieldbook member add --name NAME [--role ROLE] [--birth-year Y] [--phone P] [--joined DATE] [--notes N]",
	  "add a member; prints her id" },
	{ "training add", cmd_training_add,
	  "fieldbook training add --title T --date DATE [--end-date DATE] --topic CODE[,CODE...] [--location L] [--organizer LEVEL] [--trainer NAME] [--notes N]",
	  "add a training course; prints its id" },
	{ "training attend", cmd_training_attend,
	  "fieldbook training attend TRAINING_ID MEMBER_ID...",
	  "record who attended; prints each attendance id" },
	{ "training unattend", cmd_training_unattend,
	  "fieldbook training unattend TRAINING_ID MEMBER_ID...",
	  "remove attendances recorded by mistake" },
	{ "visit add", cmd_visit_add,
	  "fieldbook visit add --date DATE --reason R (--member ID | --person NAME) [--support KIND] [--amount-vnd N] [--gift TEXT] [--visitors TEXT] [--notes N]",
	  "add a support visit; prints its id" },
	{ "edit", cmd_edit, "fieldbook edit ID FIELD=VALUE...",
	  "change fields of a record" },
	{ "delete", cmd_delete, "fieldbook delete ID", "delete a record (it can be restored)" },
	{ "restore", cmd_restore, "fieldbook restore ID", "undo a delete" },
	{ "show", cmd_show, "fieldbook show ID [--json]", "show one record" },
	{ "list", cmd_list,
	  "fieldbook list members|trainings|visits [--year Y] [--all] [--json]",
	  "list records" },
	{ "report", cmd_report,
	  "fieldbook report [--year Y] [--format table|csv|json]",
	  "training coverage, courses by topic, support visits" },
	{ "export", cmd_export,
	  "fieldbook export [--type T] [--format csv|json] [--all] [--bom] [-o FILE]",
	  "write records as CSV or JSON" },
	{ "import", cmd_import,
	  "fieldbook import FILE (--type member|training|visit|attendance for CSV)",
	  "add or update records from CSV or JSON, all or nothing" },
	{ "log", cmd_log, "fieldbook log [ID] [--json]", "history of changes from the journal" },
	{ "verify", cmd_verify, "fieldbook verify",
	  "check the journal's hash chain and the database" },
	{ "status", cmd_status, "fieldbook status [--json]",
	  "branch, device, counts, changes not yet sent, last sync" },
	{ "remote set", cmd_remote_set,
	  "fieldbook remote set URL (--token-file FILE | --token -) [--cacert FILE]",
	  "set the hub this laptop syncs with" },
	{ "sync", cmd_sync, "fieldbook sync [--push-only | --pull-only]",
	  "send unsent changes to the hub and fetch others'" },
	{ "conflicts", cmd_conflicts, "fieldbook conflicts [--json] [--all]",
	  "values that lost to a concurrent edit" },
	{ "resolve", cmd_resolve,
	  "fieldbook resolve CONFLICT_ID (--keep current|other | --value V)",
	  "settle a conflict with an edit that wins over both" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: fieldbook [--db PATH] COMMAND [ARGS]\n\n"
		   "Record a Women's Union branch's trainings and support visits.\n\n"
		   "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].help);
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

/* Find the command named by argv[0] (and argv[1] for two-word ones). */
static const struct command *find_command(int argc, char **argv, int *words)
{
	size_t i, n;

	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name, *sp = strchr(name, ' ');

		if (!sp) {
			if (!strcmp(argv[0], name)) {
				*words = 1;
				return &commands[i];
			}
			continue;
		}
		n = (size_t)(sp - name);
		if (argc >= 2 && strlen(argv[0]) == n &&
		    !strncmp(argv[0], name, n) && !strcmp(argv[1], sp + 1)) {
			*words = 2;
			return &commands[i];
		}
	}
	return NULL;
}

/* The verbs of a two-word group ("add, attend, unattend"); 0 if none. */
static int group_verbs(const char *group, char *out, size_t n)
{
	size_t i, len = strlen(group), used = 0;

	out[0] = '\0';
	for (i = 0; i < NCOMMANDS; i++) {
		if (strncmp(commands[i].name, group, len) || commands[i].name[len] != ' ')
			continue;
		used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s",
					 used ? ", " : "", commands[i].name + len + 1);
	}
	return used > 0;
}

/* "fieldbook training --help": list its verbs' usage. */
static int group_help(const char *group, FILE *f)
{
	size_t i, n = strlen(group);
	int found = 0;

	for (i = 0; i < NCOMMANDS; i++) {
		if (!strncmp(commands[i].name, group, n) && commands[i].name[n] == ' ') {
			if (!found)
				fprintf(f, "usage:\n");
			fprintf(f, "  %s\n", commands[i].usage);
			found = 1;
		}
	}
	return found;
}

int main(int argc, char **argv)
{
	const char *db_opt = NULL;
	const struct command *cmd;
	struct cli c;
	enum fb_code rc;
	char verbs[128];
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
	cmd = find_command(argc - i, argv + i, &words);
	if (!cmd) {
		int asked = i + 1 < argc && !strcmp(argv[i + 1], "--help");

		if (asked && group_help(argv[i], stdout)) {
			return 0;
		} else if (group_verbs(argv[i], verbs, sizeof(verbs))) {
			fprintf(stderr, "fieldbook: '%s' needs one of: %s (see 'fieldbook %s --help')\n",
				argv[i], verbs, argv[i]);
		} else {
			fprintf(stderr, "fieldbook: unknown command '%s' (see 'fieldbook --help')\n",
				argv[i]);
		}
		return fb_exit_status(FB_EUSAGE);
	}
	c.name = cmd->name;
	c.usage = cmd->usage;
	c.argc = argc - i - (words - 1);
	c.argv = argv + i + (words - 1);
	c.db_path = db_path(db_opt);
	if (!c.db_path) {
		fprintf(stderr, "fieldbook: out of memory\n");
		return fb_exit_status(FB_ENOMEM);
	}
	rc = cmd->run(&c);
	free((char *)c.db_path);
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
