/* commands.h - every command of the collector, one cmd_*.c each. */
#ifndef FB_COMMANDS_H
#define FB_COMMANDS_H

#include "cli.h"

enum fb_code cmd_init(struct cli *c);
enum fb_code cmd_member_add(struct cli *c);
enum fb_code cmd_training_add(struct cli *c);
enum fb_code cmd_visit_add(struct cli *c);
enum fb_code cmd_training_attend(struct cli *c);
enum fb_code cmd_training_unattend(struct cli *c);
enum fb_code cmd_edit(struct cli *c);
enum fb_code cmd_delete(struct cli *c);
enum fb_code cmd_restore(struct cli *c);
enum fb_code cmd_show(struct cli *c);
enum fb_code cmd_list(struct cli *c);
enum fb_code cmd_report(struct cli *c);
enum fb_code cmd_export(struct cli *c);
enum fb_code cmd_import(struct cli *c);
enum fb_code cmd_log(struct cli *c);
enum fb_code cmd_verify(struct cli *c);
enum fb_code cmd_status(struct cli *c);
enum fb_code cmd_remote_set(struct cli *c);
enum fb_code cmd_sync(struct cli *c);
enum fb_code cmd_conflicts(struct cli *c);
enum fb_code cmd_resolve(struct cli *c);

#endif
