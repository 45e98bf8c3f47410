/*
 * test_conflict_id.c - a conflict's number (conflict_id.h): what it is
 * made of, pinned by a vector computed apart (Python's hashlib), that it
 * reads the same through SQL, and the prefixes people type.
 */
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "conflict_id.h"
#include "journal.h"
#include "tap.h"

#define RECORD "0b3dada2-0f83-4217-bf5f-fa5631466238"
/* sha256("fbc1\0" RECORD "\0phone\0019a4f3c2b1d0000:16ccf6b850729ad8")[:8] */
#define WANT   "38d90b2be039370e"

int main(void)
{
	struct fb_stamp loser, other;
	char id[CONFLICT_ID_LEN + 1], again[CONFLICT_ID_LEN + 1], p[CONFLICT_ID_LEN + 1];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;

	if (stamp_parse("019a4f3c2b1d0000:16ccf6b850729ad8", &loser) != FB_OK)
		return 1;
	conflict_id(RECORD, "phone", &loser, id);
	is_str(id, WANT, "the id is SHA-256 of the tag, record, field and losing stamp");
	conflict_id(RECORD, "phone", &loser, again);
	is_str(again, id, "the same conflict, the same id");
	other = loser;
	other.hlc++;
	conflict_id(RECORD, "phone", &other, again);
	ok(strcmp(again, id) != 0, "another losing stamp, another id");
	conflict_id(RECORD, "notes", &loser, again);
	ok(strcmp(again, id) != 0, "another field, another id");

	ok(sqlite3_open(":memory:", &db) == SQLITE_OK && conflict_id_register(db) == SQLITE_OK,
	   "fb_conflict_id is known to SQL");
	if (sqlite3_prepare_v2(db, "SELECT fb_conflict_id('" RECORD "', 'phone',"
			       " 0x019a4f3c2b1d0000, '16ccf6b850729ad8')", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		is_str((const char *)sqlite3_column_text(q, 0), id, "...and gives the same id");
	else
		ok(0, "...and gives the same id: %s", sqlite3_errmsg(db));
	sqlite3_finalize(q);
	sqlite3_close(db);

	ok(conflict_id_prefix("#3F9c", p) && !strcmp(p, "3f9c"), "'#3F9c' is the prefix 3f9c");
	ok(conflict_id_prefix("0123456789abcdef", p), "16 hex digits are an id");
	ok(!conflict_id_prefix("abc", p), "3 digits are too few");
	ok(!conflict_id_prefix("0123456789abcdef0", p), "17 are too many");
	ok(!conflict_id_prefix("12x4", p), "a letter that is not hex is refused");
	ok(!conflict_id_prefix("#", p) && !conflict_id_prefix("", p), "nothing is no id");
	return tap_done();
}
