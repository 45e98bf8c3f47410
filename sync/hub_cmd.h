/*
 * hub_cmd.h - the commands of fieldbook-hub: one entry (shared/cmd.h)
 * each, exported by its hub_cmd_*.c file and listed in hub_main.c's
 * table, and what they share.
 */
#ifndef FB_HUB_CMD_H
#define FB_HUB_CMD_H

#include "book.h"
#include "cmd.h"
#include "error.h"
#include "i18n.h"

/* Open the hub database (created by init). */
enum fb_code hub_open(struct cmd_ctx *c, struct book **out)
	FB_MUST_CHECK;

/* Open the hub's store (created by init) for a command; close it with
 * store->ops->close. */
struct hub_store;
enum fb_code hub_open_store(struct cmd_ctx *c, struct hub_store **out)
	FB_MUST_CHECK;

/* The hub's store as the end of its relay to the hub above
 * (sync_local.h): an SQLite hub's book, a PostgreSQL hub's store.
 * Close it with sync_local_close. */
struct sync_local;
enum fb_code hub_open_local(struct cmd_ctx *c, struct sync_local *out)
	FB_MUST_CHECK;

/*
 * A moment the hub's tables hold (UTC ISO 8601, "2026-12-07T10:00:00Z")
 * as people read it (fb_when: local time); "" for "" and the text as it
 * is when it is no such moment.
 */
void hub_when(const char *iso, char out[FB_WHEN_MAX]);

/* Seconds from such a moment to now; -1 when it is none. */
long long hub_seconds_since(const char *iso);

extern const struct cmd_entry hub_init_entry;
extern const struct cmd_entry hub_unit_add_entry;
extern const struct cmd_entry hub_unit_import_entry;
extern const struct cmd_entry hub_unit_list_entry;
extern const struct cmd_entry hub_unit_rename_entry;
extern const struct cmd_entry hub_unit_move_entry;
extern const struct cmd_entry hub_unit_remove_entry;
extern const struct cmd_entry hub_enroll_entry;
extern const struct cmd_entry hub_devices_entry;
extern const struct cmd_entry hub_revoke_entry;
extern const struct cmd_entry hub_serve_entry;
extern const struct cmd_entry hub_report_entry;
extern const struct cmd_entry hub_conflicts_entry;
extern const struct cmd_entry hub_rejected_entry;
extern const struct cmd_entry hub_verify_entry;
extern const struct cmd_entry hub_upstream_set_entry;
extern const struct cmd_entry hub_sync_entry;
extern const struct cmd_entry hub_status_entry;
extern const struct cmd_entry hub_bundle_import_entry;
extern const struct cmd_entry hub_bundle_export_entry;
extern const struct cmd_entry hub_backup_entry;
extern const struct cmd_entry hub_restore_entry;

#endif
