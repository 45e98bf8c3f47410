/*
 * main.c - the `fieldbook` program: global options, the table of
 * commands, and the one place that prints errors and picks the exit
 * status (sysexits.h, see README).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <linux/limits.h>
#include <sys/stat.h>

#include "cli.h"
#include "autosync.h"
#include "commands.h"
#include "store.h"
#include "i18n.h"

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
	&cmd_autosync_enable_entry,
	&cmd_autosync_disable_entry,
	&cmd_autosync_status_entry,
	&cmd_conflicts_entry,
	&cmd_resolve_entry,
	&cmd_bundle_export_entry,
	&cmd_bundle_ack_entry,
	&cmd_bundle_import_entry,
	&cmd_ui_entry,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* --db PATH, $FIELDBOOK_DB, or the XDG data directory. */
static enum fb_code locate_db(struct cmd_ctx *c, const char *opt)
{
	static char path[PATH_MAX];
	const char *env = getenv("FIELDBOOK_DB"), *xdg = getenv("XDG_DATA_HOME"),
		   *home = getenv("HOME");
	int n;

	if (opt)
		n = snprintf(path, sizeof(path), "%s", opt);
	else if (env && *env)
		n = snprintf(path, sizeof(path), "%s", env);
	else if (xdg && *xdg)
		n = snprintf(path, sizeof(path), "%s/fieldbook/fieldbook.db", xdg);
	else
		n = snprintf(path, sizeof(path), "%s/.local/share/fieldbook/fieldbook.db",
			     home && *home ? home : ".");
	if (n < 0 || (size_t)n >= sizeof(path))
		return fb_fail(&c->err, FB_EUSAGE, _("the database path is too long"));
	c->db_path = path;
	return FB_OK;
}

static const struct cmd_program program = {
	.name = "fieldbook",
	.version = FIELDBOOK_VERSION,
	.synopsis = "[--db PATH] COMMAND [ARGS]",
	.about = N_("Record a Women's Union branch's trainings and support visits."),
	.footer = N_("The database is --db PATH, else $FIELDBOOK_DB, else\n"
		     "$XDG_DATA_HOME/fieldbook/fieldbook.db (~/.local/share/...).\n"
		     "'fieldbook COMMAND --help' shows a command's options.\n"),
	.table = commands,
	.n = NCOMMANDS,
	.locate_db = locate_db,
};

int main(int argc, char **argv)
{
	int status = cmd_run(&program, argc, argv);

	/* For tests of commands running beside a sync: how long this one
	 * waited for another's write (docs/RELIABILITY.md). */
	if (getenv("FIELDBOOK_TRACE_BUSY"))
		fprintf(stderr, "fieldbook: waited %llu ms for the database\n",
			(unsigned long long)store_busy_waited_ms());
	return status;
}
