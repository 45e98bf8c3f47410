/* conflict_id.c - a conflict's number, the same on every replica. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "conflict_id.h"
#include "journal.h"

#define CONFLICT_ID_TAG "fbc1"

void conflict_id(const char *record, const char *field, const struct fb_stamp *loser,
		 char out[CONFLICT_ID_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char stamp[STAMP_TEXT_MAX], text[sizeof(CONFLICT_ID_TAG) + FB_RECORD_ID_MAX +
					 FB_VALUE_MAX + STAMP_TEXT_MAX + 3];
	unsigned int n = 0, i;
	int len;

	stamp_format(loser, stamp);
	len = snprintf(text, sizeof(text), "%s%c%s%c%s%c%s", CONFLICT_ID_TAG, '\0', record,
		       '\0', field, '\0', stamp);
	if (len < 0 || (size_t)len >= sizeof(text) ||
	    EVP_Digest(text, (size_t)len, md, &n, EVP_sha256(), NULL) != 1 ||
	    n < CONFLICT_ID_LEN / 2) {
		memset(out, '0', CONFLICT_ID_LEN);
		out[CONFLICT_ID_LEN] = '\0';
		return;
	}
	for (i = 0; i < CONFLICT_ID_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* fb_conflict_id(record_id, field, loser_hlc, loser_device) for SQL. */
static void sql_conflict_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *record = (const char *)sqlite3_value_text(argv[0]),
		   *field = (const char *)sqlite3_value_text(argv[1]),
		   *device = (const char *)sqlite3_value_text(argv[3]);
	struct fb_stamp loser;
	char id[CONFLICT_ID_LEN + 1];

	(void)argc;
	if (!record || !field || !device) {
		sqlite3_result_null(ctx);
		return;
	}
	loser.hlc = (fb_hlc)sqlite3_value_int64(argv[2]);
	snprintf(loser.device, sizeof(loser.device), "%s", device);
	conflict_id(record, field, &loser, id);
	sqlite3_result_text(ctx, id, CONFLICT_ID_LEN, SQLITE_TRANSIENT);
}

int conflict_id_register(sqlite3 *db)
{
	return sqlite3_create_function(db, "fb_conflict_id", 4,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				       NULL, sql_conflict_id, NULL, NULL);
}

int conflict_id_prefix(const char *text, char prefix[CONFLICT_ID_LEN + 1])
{
	size_t n, i;

	if (*text == '#')
		text++;
	n = strlen(text);
	if (n < CONFLICT_ID_MIN || n > CONFLICT_ID_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)text[i]))
			return 0;
		prefix[i] = (char)tolower((unsigned char)text[i]);
	}
	prefix[n] = '\0';
	return 1;
}
