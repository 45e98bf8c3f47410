/*
 * commands.h - every command of the collector: one entry (shared/cmd.h)
 * each, exported by its cmd_*.c file and listed in main.c's table.
 */
#ifndef FB_COMMANDS_H
#define FB_COMMANDS_H

#include "cli.h"

extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_member_add_entry;
extern const struct cmd_entry cmd_training_add_entry;
extern const struct cmd_entry cmd_training_attend_entry;
extern const struct cmd_entry cmd_training_unattend_entry;
extern const struct cmd_entry cmd_visit_add_entry;
extern const struct cmd_entry cmd_edit_entry;
extern const struct cmd_entry cmd_delete_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_log_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_remote_set_entry;
extern const struct cmd_entry cmd_sync_entry;
extern const struct cmd_entry cmd_conflicts_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_bundle_export_entry;
extern const struct cmd_entry cmd_bundle_ack_entry;
extern const struct cmd_entry cmd_bundle_import_entry;
extern const struct cmd_entry cmd_ui_entry;

#endif
