/*
 * test_collate.c - Vietnamese order (collate.h): the letters of the
 * alphabet, tones, case, NFD text, the given name of a full name, names
 * by given name with their tie-breaks, sort keys that agree with the
 * comparisons, and the same orders through SQLite.  The cost of sorting
 * names goes to the diagnostics (FB_COLLATE_BENCH_N names, 10,000 unless
 * set; `make bench` measures 200,000); no timing is a test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "collate.h"
#include "tap.h"

static struct fb_collator *coll;

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Each of list[] comes strictly before the next. */
static void ascending(const char *const *list, size_t n, int names, const char *what)
{
	size_t i;
	int good = 1;

	for (i = 0; i + 1 < n; i++) {
		int r = names ? fb_collate_name(coll, list[i], -1, list[i + 1], -1)
			      : fb_collate(coll, list[i], -1, list[i + 1], -1);

		if (r >= 0) {
			printf("#   '%s' does not come before '%s'\n", list[i], list[i + 1]);
			good = 0;
		}
	}
	ok(good, "%s", what);
}

static int by_name(const void *a, const void *b)
{
	return fb_collate_name(coll, *(const char *const *)a, -1, *(const char *const *)b, -1);
}

static void given(const char *full, const char *want, const char *what)
{
	size_t len;
	const char *g = fb_given_name(full, strlen(full), &len);
	char got[256];

	snprintf(got, sizeof(got), "%.*s", (int)len, g);
	is_str(got, want, "given name: %s", what);
}

/* The sign of memcmp of two keys as SQLite orders BLOBs. */
static int key_cmp(const struct fb_buf *a, const struct fb_buf *b)
{
	int r = memcmp(a->data, b->data, a->len < b->len ? a->len : b->len);

	return r ? sign(r) : (a->len > b->len) - (a->len < b->len);
}

/* Every pair of texts orders by its keys as by comparing them. */
static void keys_agree(const char *const *list, size_t n, int names, const char *what)
{
	struct fb_buf *k = calloc(n, sizeof(*k));
	size_t i, j;
	int good = k != NULL;

	for (i = 0; good && i < n; i++)
		good = (names ? fb_collate_name_key(coll, list[i], strlen(list[i]), &k[i])
			      : fb_collate_key(coll, list[i], strlen(list[i]), &k[i])) == FB_OK;
	for (i = 0; good && i < n; i++)
		for (j = 0; j < n; j++) {
			int c = sign(names ? fb_collate_name(coll, list[i], -1, list[j], -1)
					   : fb_collate(coll, list[i], -1, list[j], -1));

			if (c != key_cmp(&k[i], &k[j])) {
				printf("#   '%s' vs '%s': compare %d, keys %d\n", list[i],
				       list[j], c, key_cmp(&k[i], &k[j]));
				good = 0;
			}
		}
	for (i = 0; k && i < n; i++)
		buf_release(&k[i]);
	free(k);
	ok(good, "%s", what);
}

/* The rows of sql, joined by '|'. */
static void sql_rows(sqlite3 *db, const char *sql, const char *want, const char *what)
{
	struct fb_buf got = FB_BUF_INIT(0);
	sqlite3_stmt *q = NULL;
	int s = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

	while (s == SQLITE_OK || s == SQLITE_ROW) {
		if ((s = sqlite3_step(q)) == SQLITE_ROW &&
		    buf_printf(&got, "%s%s", got.len ? "|" : "",
			       (const char *)sqlite3_column_text(q, 0)) != FB_OK)
			break;
	}
	if (s != SQLITE_DONE)
		printf("#   %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(q);
	is_str(buf_str(&got), want, "%s", what);
	buf_release(&got);
}

/* --- the cost of sorting names ----------------------------------------- */

static const char *const family[] = {
	"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
	"Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
};
static const char *const middle[] = {
	"Thị", "Văn", "Thị Thu", "Thị Ngọc", "Thị Kim", "Hồng", "Minh", "Thanh",
};
static const char *const first[] = {
	"Ân", "Anh", "Ánh", "Bảo", "Chi", "Dung", "Đào", "Giang", "Hà", "Hạnh", "Hoa",
	"Hồng", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung",
	"Oanh", "Ông", "Phương", "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Uyên", "Vân",
	"Vũ", "Xuân", "Yến",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct keyed {
	struct fb_buf key;
	const char *name;
};

static int by_key(const void *a, const void *b)
{
	return key_cmp(&((const struct keyed *)a)->key, &((const struct keyed *)b)->key);
}

/* The time to read every row of sql, in ms. */
static double sql_ms(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;
	double t0 = now_ms();

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK)
		while (sqlite3_step(q) == SQLITE_ROW)
			;
	sqlite3_finalize(q);
	return now_ms() - t0;
}

static void cost(sqlite3 *db, size_t n)
{
	char **names = calloc(n, sizeof(*names));
	const char **sorted = calloc(n, sizeof(*sorted));
	struct keyed *k = calloc(n, sizeof(*k));
	uint64_t seed = 42;
	sqlite3_stmt *q = NULL;
	double t0, t_cmp, t_key, t_sql_bytes, t_sql_coll, t_sql_key;
	size_t i, same = 0;
	int good = names && sorted && k;

	for (i = 0; good && i < n; i++) {
		char name[128];

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		snprintf(name, sizeof(name), "%s %s %s", family[(seed >> 33) % COUNT(family)],
			 middle[(seed >> 41) % COUNT(middle)], first[(seed >> 49) % COUNT(first)]);
		good = (names[i] = strdup(name)) != NULL;
		sorted[i] = names[i];
	}
	if (!good)
		goto out;
	t0 = now_ms();
	qsort(sorted, n, sizeof(*sorted), by_name);
	t_cmp = now_ms() - t0;
	t0 = now_ms();
	for (i = 0; good && i < n; i++) {
		k[i].name = names[i];
		good = fb_collate_name_key(coll, names[i], strlen(names[i]), &k[i].key) == FB_OK;
	}
	qsort(k, n, sizeof(*k), by_key);
	t_key = now_ms() - t0;
	for (i = 0; good && i < n; i++)
		same += !strcmp(k[i].name, sorted[i]);
	ok(good && same == n, "%zu names: sorted by keys as by comparing them", n);

	good = sqlite3_exec(db, "CREATE TABLE cost(name TEXT)", NULL, NULL, NULL) == SQLITE_OK &&
	       sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
	       sqlite3_prepare_v2(db, "INSERT INTO cost VALUES(?1)", -1, &q, NULL) == SQLITE_OK;
	for (i = 0; good && i < n; i++) {
		sqlite3_bind_text(q, 1, names[i], -1, SQLITE_STATIC);
		good = sqlite3_step(q) == SQLITE_DONE && sqlite3_reset(q) == SQLITE_OK;
	}
	sqlite3_finalize(q);
	q = NULL;
	good = good && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	t_sql_bytes = good ? sql_ms(db, "SELECT name FROM cost ORDER BY name") : 0;
	t_sql_coll = good ? sql_ms(db, "SELECT name FROM cost ORDER BY name COLLATE VI_NAME") : 0;
	t0 = now_ms();
	good = good && sqlite3_prepare_v2(db, "SELECT name FROM cost ORDER BY fb_vi_name_key(name)",
					  -1, &q, NULL) == SQLITE_OK;
	for (i = 0; good && sqlite3_step(q) == SQLITE_ROW; i++)
		good = i < n && !strcmp((const char *)sqlite3_column_text(q, 0), sorted[i]);
	t_sql_key = now_ms() - t0;
	sqlite3_finalize(q);
	ok(good && i == n, "%zu names: SQLite's ORDER BY fb_vi_name_key() gives the same order", n);
	printf("# sorting %zu names: qsort by fb_collate_name %.0f ms, their keys then qsort"
	       " %.0f ms;\n# SQLite ORDER BY name (bytes) %.0f ms, COLLATE VI_NAME %.0f ms,"
	       " fb_vi_name_key(name) %.0f ms\n", n, t_cmp, t_key, t_sql_bytes, t_sql_coll,
	       t_sql_key);
out:
	for (i = 0; names && i < n; i++)
		free(names[i]);
	for (i = 0; k && i < n; i++)
		buf_release(&k[i].key);
	free(names);
	free(sorted);
	free(k);
}

int main(void)
{
	static const char *const alphabet[] = {
		"a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m",
		"n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y",
	};
	static const char *const upper[] = {
		"A", "Ă", "Â", "B", "C", "D", "Đ", "E", "Ê", "G", "H", "I", "K", "L", "M",
		"N", "O", "Ô", "Ơ", "P", "Q", "R", "S", "T", "U", "Ư", "V", "X", "Y",
	};
	/* Tones: none, huyền, hỏi, ngã, sắc, nặng. */
	static const char *const tones[] = { "ma", "mà", "mả", "mã", "má", "mạ" };
	static const char *const tones_o[] = { "ơ", "ờ", "ở", "ỡ", "ớ", "ợ" };
	/* A letter outweighs any tone; a tone outweighs case. */
	static const char *const letters_first[] = { "ạ", "ăc", "ắc" };
	static const char *const words[] = {
		"an", "An", "anh", "Anh", "ánh", "Ánh", "ăn", "Ăn", "ân", "Ân", "ấn", "Ấn",
		"bảo", "Bảo", "đào", "Đào", "ông", "Ông", "vũ", "Vũ",
	};
	static const char *const people[] = {
		"Trần Thị Vũ", "Lê Ân", "Phạm Ông", "Nguyễn Đào", "Hoàng Bảo", "Vũ Thị Ánh",
		"Đỗ Anh", "Bùi Ăn", "Trần Thị Lan", "Nguyễn Thị Lan", "Lan",
		"  Lê   Thị  Đào ", "ngô ân", "Dương\xc2\xa0Hoa", "LÝ THỊ ÂN", "Lý Thị Ân",
		"Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b A\xcc\x82n",      /* NFC Nguyễn Thị, NFD Ân */
		"Lê Thị Ấn", "Nguyễn Thị Lan ",
	};
	static const char *const people_sorted[] = {
		"Đỗ Anh", "Vũ Thị Ánh", "Bùi Ăn", "Lê Ân", "Lý Thị Ân", "LÝ THỊ ÂN", "ngô ân",
		"Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b A\xcc\x82n", "Lê Thị Ấn", "Hoàng Bảo",
		"  Lê   Thị  Đào ", "Nguyễn Đào", "Dương\xc2\xa0Hoa", "Lan", "Nguyễn Thị Lan",
		"Nguyễn Thị Lan ", "Trần Thị Lan", "Phạm Ông", "Trần Thị Vũ",
	};
	const char *list[COUNT(people)];
	struct fb_error err = { 0 };
	sqlite3 *db = NULL;
	size_t i, n;
	int good;
	const char *bench = getenv("FB_COLLATE_BENCH_N");

	if (!ok(fb_collator_open(&coll, &err) == FB_OK, "a Vietnamese collator opens")) {
		printf("#   %s\n", err.msg);
		return tap_done();
	}

	/* The alphabet. */
	ascending(alphabet, COUNT(alphabet), 0,
		  "the letters in the order of the Vietnamese alphabet, a ă â b c d đ ... x y");
	ascending(upper, COUNT(upper), 0, "...and in capitals");
	ok(fb_collate(coll, "anh", -1, "ăn", -1) < 0 && fb_collate(coll, "ăz", -1, "ân", -1) < 0 &&
	   fb_collate(coll, "dz", -1, "đa", -1) < 0 && fb_collate(coll, "oz", -1, "ôa", -1) < 0 &&
	   fb_collate(coll, "ôz", -1, "ơa", -1) < 0 && fb_collate(coll, "uz", -1, "ưa", -1) < 0,
	   "ă, â, đ, ô, ơ, ư are letters of their own: anh < ăn, ăz < ân, dz < đa, uz < ưa");
	ok(fb_collate(coll, "Vũ", -1, "Ân", -1) > 0 && fb_collate(coll, "Vũ", -1, "Đào", -1) > 0 &&
	   fb_collate(coll, "Vũ", -1, "Ông", -1) > 0,
	   "Ân, Đào and Ông come before Vũ (not after it, as their bytes would)");

	/* Tones and case. */
	ascending(tones, COUNT(tones), 0, "tones: ma mà mả mã má mạ (none, huyền, hỏi, ngã, sắc, nặng)");
	ascending(tones_o, COUNT(tones_o), 0, "...on ơ too: ơ ờ ở ỡ ớ ợ");
	ascending(letters_first, COUNT(letters_first), 0,
		  "a tone weighs less than a letter: ạ < ăc < ắc");
	ok(fb_collate(coll, "ab", -1, "ác", -1) < 0 && fb_collate(coll, "mạ", -1, "mb", -1) < 0,
	   "...ab < ác, mạ < mb");
	ascending(words, COUNT(words), 0,
		  "case weighs least, small letters first: an An anh Anh ánh Ánh ăn ... vũ Vũ");
	ok(fb_collate(coll, "An", -1, "an", -1) > 0 && fb_collate(coll, "An", -1, "ăn", -1) < 0,
	   "An after an, before ăn");

	/* NFD, and only equal texts are equal. */
	ok(fb_collate(coll, "Ân", -1, "A\xcc\x82n", -1) != 0,
	   "NFC and NFD of a text are not equal (their bytes decide)");
	ok(fb_collate(coll, "A\xcc\x82n", -1, "Ăn", -1) > 0 &&
	   fb_collate(coll, "A\xcc\x82n", -1, "Ân", -1) * fb_collate(coll, "Ân", -1, "A\xcc\x82n", -1) < 0 &&
	   fb_collate(coll, "A\xcc\x82n", -1, "Âo", -1) < 0 && fb_collate(coll, "A\xcc\x82n", -1, "ấn", -1) < 0,
	   "NFD Ân orders as NFC Ân: after Ăn, before ấn and Âo");
	ok(fb_collate(coll, "Lan", -1, "Lan", -1) == 0 && fb_collate(coll, "Lan", 2, "La", -1) == 0,
	   "the same text is equal; lengths are bytes");
	ok(fb_collate(coll, "", -1, "a", -1) < 0 && fb_collate(coll, "\xff", -1, "a", -1) != 0,
	   "the empty text first; invalid UTF-8 still orders");

	/* The given name. */
	given("Nguyễn Thị Ân", "Ân", "the last word");
	given("Ân", "Ân", "a name of one word");
	given("  Nguyễn   Thị  Ân  ", "Ân", "spaces before, between and after");
	given("Nguyễn\tThị\nÂn", "Ân", "tabs and line breaks are spaces");
	given("Dương\xc2\xa0Hoa", "Hoa", "a no-break space (U+00A0) is a space");
	given("Nguy\xe1\xbb\x85n A\xcc\x82n", "A\xcc\x82n", "an NFD name: its last word whole");
	given("Nguyễn Thị-Lan", "Thị-Lan", "a hyphen joins a word");
	given("", "", "nothing");
	given("   ", "", "spaces only");

	/* Names. */
	memcpy(list, people, sizeof(list));
	qsort(list, COUNT(list), sizeof(list[0]), by_name);
	for (i = 0, good = 1; i < COUNT(list); i++)
		if (strcmp(list[i], people_sorted[i])) {
			printf("#   %zu: got '%s', want '%s'\n", i, list[i], people_sorted[i]);
			good = 0;
		}
	ok(good, "names by given name (Anh Ánh Ăn Ân Ấn Bảo Đào Hoa Lan Ông Vũ), then the whole"
	   " name word by word (Lê, Lý, ngô, Nguyễn), then case (Lý before LÝ), then bytes");
	ascending(people_sorted, COUNT(people_sorted), 1, "...each strictly before the next");
	ok(fb_collate_name(coll, "Nguyễn Thị Lan", -1, "Trần Thị Lan", -1) < 0 &&
	   fb_collate_name(coll, "Trần Thị Lan", -1, "Nguyễn Thị Mai", -1) < 0,
	   "the same given name: the whole name decides; else the given name does");
	ok(fb_collate_name(coll, "Lê Thị Ân", -1, "LÝ THỊ ÂN", -1) < 0 &&
	   fb_collate_name(coll, "LÝ THỊ ÂN", -1, "Phan Thị Ân", -1) < 0 &&
	   fb_collate_name(coll, "Lý Thị Ân", -1, "LÝ THỊ ÂN", -1) < 0 &&
	   fb_collate_name(coll, "Phan Thị Ân", -1, "Lê Thị Ấn", -1) < 0,
	   "case weighs after every word's letters and tones; a tone of the given name before"
	   " the family name");
	ok(fb_collate_name(coll, "Lê Lan", -1, "Lê  Lan", -1) != 0 &&
	   fb_collate_name(coll, "Lê Lan", -1, "Lê Lan", -1) == 0,
	   "names that differ only in spaces are not equal; the same name is");

	/* Keys. */
	keys_agree(words, COUNT(words), 0, "sort keys order texts as comparing them does");
	keys_agree(people, COUNT(people), 1, "name keys order names as comparing them does");

	/* SQLite. */
	if (!ok(sqlite3_open(":memory:", &db) == SQLITE_OK &&
		fb_collate_register(db, &err) == FB_OK, "VI, VI_NAME, fb_vi_key and"
		" fb_vi_name_key are known to SQL")) {
		printf("#   %s\n", err.msg);
		goto out;
	}
	good = sqlite3_exec(db, "CREATE TABLE t(name TEXT)", NULL, NULL, NULL) == SQLITE_OK;
	for (i = 0; good && i < COUNT(people); i++) {
		char *sql = sqlite3_mprintf("INSERT INTO t VALUES(%Q)", people[i]);

		good = sql && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_free(sql);
	}
	ok(good, "names stored");
	{
		struct fb_buf want = FB_BUF_INIT(0);

		for (i = 0; i < COUNT(people_sorted); i++)
			if (buf_printf(&want, "%s%s", i ? "|" : "", people_sorted[i]) != FB_OK)
				break;
		sql_rows(db, "SELECT name FROM t ORDER BY name COLLATE VI_NAME", buf_str(&want),
			 "ORDER BY name COLLATE VI_NAME: given name first");
		sql_rows(db, "SELECT name FROM t ORDER BY fb_vi_name_key(name)", buf_str(&want),
			 "ORDER BY fb_vi_name_key(name): the same order");
		buf_release(&want);
	}
	sql_rows(db, "SELECT x FROM (SELECT 'Vũ' x UNION SELECT 'Ân' UNION SELECT 'Ông'"
		 " UNION SELECT 'Đào' UNION SELECT 'anh') ORDER BY x COLLATE VI",
		 "anh|Ân|Đào|Ông|Vũ", "ORDER BY COLLATE VI: plain Vietnamese order");
	sql_rows(db, "SELECT x FROM (SELECT 'Vũ' x UNION SELECT 'Ân' UNION SELECT 'Ông'"
		 " UNION SELECT 'Đào' UNION SELECT 'anh') ORDER BY fb_vi_key(x)",
		 "anh|Ân|Đào|Ông|Vũ", "ORDER BY fb_vi_key(): the same");
	sql_rows(db, "SELECT coalesce(fb_vi_key(NULL), 'null') || coalesce(fb_vi_name_key(NULL),"
		 " 'null')", "nullnull", "the key of NULL is NULL");
	sql_rows(db, "SELECT 'Vũ' = 'vũ' COLLATE VI", "0", "= under VI: only equal texts");
	sql_rows(db, "SELECT 'Lê Ân' < 'LÝ ÂN' COLLATE VI_NAME", "1", "< under VI_NAME");

	n = bench && atol(bench) > 0 ? (size_t)atol(bench) : 10000;
	cost(db, n);
out:
	sqlite3_close(db);
	fb_collator_close(coll);
	/* Everything closed: ICU goes, and comes back when asked again. */
	fb_collate_cleanup();
	ok(fb_collator_open(&coll, &err) == FB_OK && fb_collate(coll, "Vũ", -1, "Ân", -1) > 0,
	   "after fb_collate_cleanup, a collator opens again");
	fb_collator_close(coll);
	fb_collate_cleanup();
	return tap_done();
}
