/*
 * conflict_id.h - the number a conflict has on every replica.
 *
 * A replica's conflict log is its own (docs/MERGE.md): each derives its
 * rows from the entries it applies.  So a conflict's number cannot be
 * a row number; it is derived from what the row is about, which every
 * replica that logs the conflict shares: the record, the field and the
 * stamp of the value that lost (the log's unique key).  Not the winner:
 * with three concurrent values the one that beats a loser depends on
 * the order of arrival (the loser is the same everywhere), and a delete
 * conflict's winner is the delete that wins now.
 *
 *   id = first 16 hex digits of SHA-256("fbc1" NUL record NUL field NUL
 *        "<16 hex HLC>:<device>")
 *
 * People see the first CONFLICT_ID_SHOWN of them (#3f9c04ab); commands
 * take any unambiguous prefix of at least CONFLICT_ID_MIN.
 */
#ifndef FB_CONFLICT_ID_H
#define FB_CONFLICT_ID_H

#include <sqlite3.h>
#include "merge.h"

#define CONFLICT_ID_LEN   16    /* hex digits kept */
#define CONFLICT_ID_SHOWN 8     /* hex digits shown */
#define CONFLICT_ID_MIN   4     /* the shortest prefix taken */

/* The id of the conflict over record's field whose loser is `loser`. */
void conflict_id(const char *record, const char *field, const struct fb_stamp *loser,
		 char out[CONFLICT_ID_LEN + 1]);

/*
 * Make fb_conflict_id(record_id, field, loser_hlc, loser_device) known
 * to SQL on db, so that listings and lookups compute it where they read
 * the log.  SQLITE_OK or SQLite's error.
 */
int conflict_id_register(sqlite3 *db);

/*
 * 1 when text is a conflict id as a person gives it: an optional '#',
 * then CONFLICT_ID_MIN to CONFLICT_ID_LEN hex digits (either case);
 * the digits, in lower case, into prefix.
 */
int conflict_id_prefix(const char *text, char prefix[CONFLICT_ID_LEN + 1]);

#endif
