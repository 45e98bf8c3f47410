/*
 * fbbench.c - the data and the in-process measurements of `make bench`
 * (tests/bench/run.sh drives the real binaries around it).
 *
 *   fbbench collector DIR N SINGLE SEED
 *       Make N records (the mix below) from SEED and measure, on the same
 *       rows, in DIR: the raw SQLite insert rate (one plain row per record,
 *       one transaction, WAL + synchronous=FULL), zlib level 6 of the
 *       records as JSON lines, book_add in one transaction (DIR/a.db, kept
 *       for the sync figures) and, on a dataset of SINGLE records (seed
 *       + 1), book_add and raw SQLite with one transaction per record.
 *       Prints key=value lines.
 *   fbbench make DB BRANCH N SEED
 *       A collector database with N records added in one transaction.
 *   fbbench fleet DIR COUNT N SEED
 *       COUNT collector databases DIR/dev-NNN.db, one branch each, N
 *       records each, and DIR/units.csv for `fieldbook-hub unit import`.
 *   fbbench hubfill DB BRANCHES N SEED
 *       Fill the hub database DB (just made by `fieldbook-hub init`)
 *       with a province of BRANCHES branches, a laptop each and N
 *       records each, written straight into its tables (cmd_hubfill),
 *       for the report's figures at thousands of branches.
 *   fbbench push LIST URL TIMEOUT LATENCIES DEVTIMES
 *       The load generator of the many-devices figure: for each
 *       collector database in LIST (lines "DB BRANCH", their remotes
 *       set), its unsent journal is read and deflated into push bodies
 *       the way `fieldbook sync` makes them (500 changes, then twice as
 *       many ...), before the clock starts.  Then every device pushes at
 *       once, each over its own connection, one batch after the other as
 *       the hub acknowledges them, at most TIMEOUT seconds in all.
 *       Prints key=value lines; one request latency (ms) per line goes to
 *       LATENCIES and one device's whole push (ms) per line to DEVTIMES.
 *       One process drives them all, so that the figure is the hub's and
 *       not 200 collector processes' start-up on the same 2 cores.
 *   fbbench names N SEED
 *       N members' names (as the mix makes them, from SEED) in a SQLite
 *       table in memory, read back sorted by their bytes and in
 *       Vietnamese order, given name first (ORDER BY fb_vi_name_key(),
 *       as `list members` sorts; collate.h), the best of NAMES_REPEATS
 *       runs each.  Prints key=value lines.
 *   fbbench report KV JSON
 *       Read the key=value results of a run, print the table of figures
 *       beside their limits and targets, and write it as JSON.
 *
 * The mix of N records: N/100 members (at least 4), then trainings each
 * followed by its 4 attendances, so that members + 5 * trainings = N
 * (leftovers become members): 100,000 records are 1,000 members, 19,800
 * trainings and 79,200 attendances.  Text is Vietnamese, in NFC, drawn
 * from fixed lists by a seeded generator; record ids are made by
 * book_add as the collector makes them (time-ordered UUIDs), and the same ids
 * go into the raw rows and the JSON lines.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include <curl/curl.h>

#include "book.h"
#include "book_internal.h"
#include "client.h"
#include "collate.h"
#include "recjson.h"
#include "wire.h"
#include "zbuf.h"

#define BENCH_BRANCH   "HN.PL.TT.03"
#define ITEM_FIELDS    10
#define ATTEND_PER_TRAINING 4
#define ZLIB_REPEATS   3
#define RAW_REPEATS    3
#define NAMES_REPEATS  3

/* --- a seeded generator (splitmix64) ---------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng_next() % n);
}

#define PICK(a) ((a)[rng_below(sizeof(a) / sizeof((a)[0]))])

/* --- Vietnamese text -------------------------------------------------- */

static const char *const family[] = {
	"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
	"Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"
};
static const char *const middle[] = {
	"Thị", "Thị", "Thị Hồng", "Thị Thu", "Thị Ngọc", "Thị Thanh",
	"Thị Minh", "Thị Bích", "Thị Kim", "Thị Thúy", "Thị Mỹ", "Ngọc"
};
static const char *const given[] = {
	"Lan", "Hoa", "Hương", "Nhung", "Mai", "Hạnh", "Thảo", "Trang", "Dung",
	"Phương", "Yến", "Loan", "Hằng", "Nga", "Tâm", "Huệ", "Liên", "Oanh",
	"Xuân", "Cúc"
};

static const struct {
	const char *title;
	const char *topic;
} courses[] = {
	{ "Tập huấn kỹ năng công tác Hội cho chi hội trưởng", "association_work" },
	{ "Tuyên truyền bình đẳng giới trong gia đình", "gender_equality" },
	{ "Nói chuyện chuyên đề dân số và kế hoạch hóa gia đình",
	  "population_family_planning" },
	{ "Chia sẻ kinh nghiệm nuôi dạy con tốt", "parenting" },
	{ "Hướng dẫn bảo đảm an toàn thực phẩm trong bữa ăn gia đình", "food_safety" },
	{ "Phòng chống bạo lực gia đình", "domestic_violence" },
	{ "Phòng chống tai nạn thương tích và đuối nước ở trẻ em", "child_injury" },
	{ "Ứng dụng chuyển đổi số cho hội viên phụ nữ", "digital_transformation" },
	{ "Học tập chuyên đề lý luận chính trị", "political_theory" },
	{ "Bồi dưỡng kỹ năng lãnh đạo cho cán bộ nữ", "leadership" },
	{ "Sinh hoạt mô hình Địa chỉ tin cậy tại cộng đồng", "trusted_address" },
	{ "Giáo dục STEM cho trẻ em trong hè", "stem" },
	{ "Tư vấn pháp luật về hôn nhân và gia đình", "legal_consulting" },
};
static const char *const places[] = {
	"Nhà văn hóa thôn @", "Hội trường UBND xã Thanh Thủy",
	"Trạm y tế xã Thanh Thủy", "Trường mầm non Hoa Sen",
	"Nhà văn hóa tổ dân phố @", "Nhà chi hội trưởng, xóm @"
};
static const char *const trainers[] = {
	"Báo cáo viên Hội LHPN huyện", "Cán bộ Trạm y tế xã",
	"Luật sư Trung tâm trợ giúp pháp lý tỉnh", "Bà @, Chủ tịch Hội LHPN xã",
	"Bà @, cán bộ Hội LHPN huyện"
};
static const char *const notes[] = {
	"Phát tài liệu và tờ rơi cho hội viên.",
	"Lồng ghép sinh hoạt chi hội tháng @.",
	"Có đại diện Mặt trận Tổ quốc xã dự.",
	"Tổ chức trò chơi và giao lưu văn nghệ sau buổi học.",
	"Hội viên đề nghị tổ chức thêm một buổi thực hành vào tháng @."
};
static const char *const levels[] = {
	"commune", "commune", "commune", "branch", "district"
};

/* --- the dataset ------------------------------------------------------ */

struct item {
	enum rec_type type;
	size_t nf;
	struct field_value fv[ITEM_FIELDS];   /* names static, values owned */
	size_t ref_training, ref_member;      /* attendance: item indexes */
	char id[FB_RECORD_ID_MAX + 1];        /* set by book_add */
};

struct dataset {
	size_t n, members, trainings;
	struct item *it;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct fb_error *err)
{
	fprintf(stderr, "fbbench: %s: %s\n", what, err ? err->msg : strerror(errno));
	exit(1);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory", NULL);
	return p;
}

static void put(struct item *it, const char *name, const char *value)
{
	if (it->nf >= ITEM_FIELDS)
		die("too many fields in a generated record", NULL);
	it->fv[it->nf].name = name;
	it->fv[it->nf].value = xstrdup(value);
	it->nf++;
}

/* tmpl with its '@' (if any) replaced by arg. */
static void fill(char *out, size_t n, const char *tmpl, const char *arg)
{
	const char *at = strchr(tmpl, '@');

	if (!at)
		snprintf(out, n, "%s", tmpl);
	else
		snprintf(out, n, "%.*s%s%s", (int)(at - tmpl), tmpl, arg, at + 1);
}

static void person_name(char *out, size_t n)
{
	snprintf(out, n, "%s %s %s", PICK(family), PICK(middle), PICK(given));
}

static void gen_member(struct item *it, size_t k)
{
	static const char *const head_roles[] = { "branch_head", "branch_deputy",
						  "branch_deputy" };
	char s[256];

	it->type = REC_MEMBER;
	person_name(s, sizeof(s));
	put(it, "full_name", s);
	put(it, "role", k < 3 ? head_roles[k] : rng_below(20) ? "member" : "official");
	snprintf(s, sizeof(s), "%u", 1955 + rng_below(46));
	put(it, "birth_year", s);
	if (rng_below(5)) {
		snprintf(s, sizeof(s), "09%08u", rng_below(100000000));
		put(it, "phone", s);
	}
	snprintf(s, sizeof(s), "%04u-%02u-%02u", 1995 + rng_below(31),
		 1 + rng_below(12), 1 + rng_below(28));
	put(it, "joined", s);
}

static void gen_training(struct item *it)
{
	unsigned c = rng_below(sizeof(courses) / sizeof(courses[0]));
	unsigned year = 2025 + rng_below(2), month = 1 + rng_below(year == 2026 ? 11 : 12);
	unsigned day = 1 + rng_below(27), c2;
	char s[512], who[128], num[16];

	it->type = REC_TRAINING;
	if (rng_below(3))
		snprintf(s, sizeof(s), "%s (đợt %u)", courses[c].title, 1 + rng_below(4));
	else
		snprintf(s, sizeof(s), "%s", courses[c].title);
	put(it, "title", s);
	snprintf(s, sizeof(s), "%04u-%02u-%02u", year, month, day);
	put(it, "start_date", s);
	if (rng_below(2)) {
		snprintf(s, sizeof(s), "%04u-%02u-%02u", year, month, day + 1);
		put(it, "end_date", s);
	}
	c2 = rng_below(sizeof(courses) / sizeof(courses[0]));
	if (rng_below(3) == 0 && c2 != c)
		snprintf(s, sizeof(s), "%s,%s", courses[c].topic, courses[c2].topic);
	else
		snprintf(s, sizeof(s), "%s", courses[c].topic);
	put(it, "topics", s);
	snprintf(num, sizeof(num), "%u", 1 + rng_below(12));
	fill(s, sizeof(s), PICK(places), num);
	put(it, "location", s);
	put(it, "organizer_level", PICK(levels));
	if (rng_below(10) < 7) {
		person_name(who, sizeof(who));
		fill(s, sizeof(s), PICK(trainers), who);
		put(it, "trainer", s);
	}
	if (rng_below(10) < 3) {
		snprintf(num, sizeof(num), "%u", 1 + rng_below(12));
		fill(s, sizeof(s), PICK(notes), num);
		put(it, "notes", s);
	}
}

static void gen(struct dataset *d, size_t n, uint64_t seed)
{
	size_t members = n / 100 < ATTEND_PER_TRAINING ? ATTEND_PER_TRAINING : n / 100;
	size_t trainings, i, k = 0, t;

	if (n < members)
		members = n;
	trainings = (n - members) / (1 + ATTEND_PER_TRAINING);
	members = n - trainings * (1 + ATTEND_PER_TRAINING);
	rng_state = seed;
	d->n = n;
	d->members = members;
	d->trainings = trainings;
	d->it = calloc(n ? n : 1, sizeof(*d->it));
	if (!d->it)
		die("out of memory", NULL);
	for (i = 0; i < members; i++)
		gen_member(&d->it[k++], i);
	for (t = 0; t < trainings; t++) {
		size_t ti = k, picked[ATTEND_PER_TRAINING], j, a;

		gen_training(&d->it[k++]);
		for (a = 0; a < ATTEND_PER_TRAINING; a++) {
			struct item *it = &d->it[k++];
			size_t m;

			do {
				m = rng_below((unsigned)members);
				for (j = 0; j < a && picked[j] != m; j++)
					;
			} while (j < a);
			picked[a] = m;
			it->type = REC_ATTENDANCE;
			it->ref_training = ti;
			it->ref_member = m;
		}
	}
}

static void dataset_free(struct dataset *d)
{
	size_t i, j;

	for (i = 0; i < d->n; i++)
		for (j = 0; j < d->it[i].nf; j++)
			free((char *)d->it[i].fv[j].value);
	free(d->it);
}

/* Attendance fields name the ids book_add gave the records they join. */
static void resolve_refs(struct dataset *d, struct item *it)
{
	size_t j;

	if (it->type != REC_ATTENDANCE)
		return;
	for (j = 0; j < it->nf; j++)
		free((char *)it->fv[j].value);
	it->nf = 0;
	put(it, "training_id", d->it[it->ref_training].id);
	put(it, "member_id", d->it[it->ref_member].id);
}

/* --- collector: book_add ---------------------------------------------- */

static struct book *new_book(const char *path, const char *branch)
{
	struct fb_error err;
	struct book *b = NULL;

	remove(path);
	if (book_create(path, branch, "Chi hội 3, xã Thanh Thủy", &err) != FB_OK)
		die(path, &err);
	if (book_open(path, NULL, &b, &err) != FB_OK)
		die(path, &err);
	return b;
}

static void add_one(struct book *b, struct dataset *d, struct item *it)
{
	struct fb_error err;

	resolve_refs(d, it);
	if (book_add(b, it->type, NULL, it->fv, it->nf, it->id, &err) != FB_OK)
		die("book_add", &err);
}

/* All of d through book_add in one transaction; seconds taken. */
static double add_all_one_tx(struct book *b, struct dataset *d)
{
	struct fb_error err;
	double t0 = now_s();
	size_t i;

	if (book_begin(b, &err) != FB_OK)
		die("book_begin", &err);
	for (i = 0; i < d->n; i++)
		add_one(b, d, &d->it[i]);
	if (book_commit(b, &err) != FB_OK)
		die("book_commit", &err);
	return now_s() - t0;
}

static double add_each_own_tx(struct book *b, struct dataset *d)
{
	double t0 = now_s();
	size_t i;

	for (i = 0; i < d->n; i++)
		add_one(b, d, &d->it[i]);
	return now_s() - t0;
}

/* --- limit: raw SQLite ------------------------------------------------ */

static void sql_ok(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "fbbench: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
}

/*
 * One plain table per type, its fields as columns, id the primary key,
 * with the pragmas the store uses.  Inserts every row of d, in one
 * transaction or (one_tx 0) one each; seconds taken, commits included.
 */
static double raw_insert(const char *path, struct dataset *d, int one_tx)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins[REC_NTYPES] = { NULL };
	double t0, t;
	size_t i, j;
	int ty;

	remove(path);
	sql_ok(db, sqlite3_open(path, &db), path);
	sql_ok(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				" PRAGMA foreign_keys=ON;", NULL, NULL, NULL), "pragmas");
	for (ty = 0; ty < REC_NTYPES; ty++) {
		const struct type_def *td = model_type((enum rec_type)ty);
		char create[2048], insert[2048];
		size_t cl, il, nf = 0;

		cl = (size_t)snprintf(create, sizeof(create),
				      "CREATE TABLE %s(id TEXT PRIMARY KEY, branch TEXT NOT NULL",
				      td->name);
		il = (size_t)snprintf(insert, sizeof(insert), "INSERT INTO %s VALUES(?, ?",
				      td->name);
		for (j = 0; td->fields[j].name; j++) {
			if (td->fields[j].internal || !strcmp(td->fields[j].name, FIELD_DELETED))
				continue;
			cl += (size_t)snprintf(create + cl, sizeof(create) - cl, ", %s TEXT",
					       td->fields[j].name);
			il += (size_t)snprintf(insert + il, sizeof(insert) - il, ", ?");
			nf++;
		}
		snprintf(create + cl, sizeof(create) - cl, ")");
		snprintf(insert + il, sizeof(insert) - il, ")");
		sql_ok(db, sqlite3_exec(db, create, NULL, NULL, NULL), create);
		sql_ok(db, sqlite3_prepare_v2(db, insert, -1, &ins[ty], NULL), insert);
	}
	t0 = now_s();
	if (one_tx)
		sql_ok(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
	for (i = 0; i < d->n; i++) {
		const struct item *it = &d->it[i];
		const struct type_def *td = model_type(it->type);
		sqlite3_stmt *q = ins[it->type];
		int col = 3;

		sqlite3_bind_text(q, 1, it->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, BENCH_BRANCH, -1, SQLITE_STATIC);
		for (j = 0; td->fields[j].name; j++) {
			size_t k;

			if (td->fields[j].internal || !strcmp(td->fields[j].name, FIELD_DELETED))
				continue;
			for (k = 0; k < it->nf && strcmp(it->fv[k].name, td->fields[j].name); k++)
				;
			if (k < it->nf)
				sqlite3_bind_text(q, col, it->fv[k].value, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(q, col);
			col++;
		}
		sql_ok(db, sqlite3_step(q), "insert");
		sqlite3_reset(q);
	}
	if (one_tx)
		sql_ok(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
	t = now_s() - t0;
	for (ty = 0; ty < REC_NTYPES; ty++)
		sqlite3_finalize(ins[ty]);
	sqlite3_close(db);
	return t;
}

/* --- limit: zlib level 6 of the records as JSON lines ----------------- */

/* The records as `export --format json` shows them, one per line. */
static void json_lines(struct dataset *d, struct fb_buf *out)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		const struct item *it = &d->it[i];
		const struct type_def *td = model_type(it->type);
		struct record r;
		cJSON *o;
		char *s;

		memset(&r, 0, sizeof(r));
		snprintf(r.id, sizeof(r.id), "%s", it->id);
		r.type = it->type;
		snprintf(r.branch, sizeof(r.branch), "%s", BENCH_BRANCH);
		for (j = 0; j < it->nf; j++)
			r.val[model_field_index(td, it->fv[j].name)] = (char *)it->fv[j].value;
		o = record_to_json(&r);
		s = o ? cJSON_PrintUnformatted(o) : NULL;
		if (!s || buf_adds(out, s) != FB_OK || buf_addc(out, '\n') != FB_OK)
			die("out of memory", NULL);
		free(s);
		cJSON_Delete(o);
	}
}

/* --- commands --------------------------------------------------------- */

static size_t arg_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s) {
		fprintf(stderr, "fbbench: '%s' is not a number\n", s);
		exit(64);
	}
	return (size_t)v;
}

static int cmd_collector(int argc, char **argv)
{
	struct dataset d, s;
	struct fb_buf json = FB_BUF_INIT(0), z = FB_BUF_INIT(0);
	struct fb_error err;
	struct book *b;
	char path[4096];
	const char *dir;
	size_t n, single, k;
	uint64_t seed;
	double t, best = 1e9;
	FILE *f;

	if (argc != 6)
		return 64;
	dir = argv[2];
	n = arg_size(argv[3]);
	single = arg_size(argv[4]);
	seed = arg_size(argv[5]);

	gen(&d, n, seed);
	printf("mix_members=%zu\nmix_trainings=%zu\nmix_attendances=%zu\n",
	       d.members, d.trainings, d.trainings * ATTEND_PER_TRAINING);

	/* The collector first: book_add gives the ids the limits reuse. */
	snprintf(path, sizeof(path), "%s/a.db", dir);
	b = new_book(path, BENCH_BRANCH);
	t = add_all_one_tx(b, &d);
	book_close(b);
	printf("add_tx_s=%.4f\nadd_tx_rps=%.0f\n", t, (double)n / t);

	/* The limit is the fastest of RAW_REPEATS runs. */
	snprintf(path, sizeof(path), "%s/raw.db", dir);
	for (k = 0; k < RAW_REPEATS; k++) {
		t = raw_insert(path, &d, 1);
		if (t < best)
			best = t;
	}
	printf("raw_tx_s=%.4f\nraw_tx_rps=%.0f\n", best, (double)n / best);
	best = 1e9;

	json_lines(&d, &json);
	snprintf(path, sizeof(path), "%s/records.jsonl", dir);
	f = fopen(path, "w");
	if (!f || fwrite(json.data, 1, json.len, f) != json.len || fclose(f))
		die(path, NULL);
	for (k = 0; k < ZLIB_REPEATS; k++) {
		buf_reset(&z);
		t = now_s();
		if (zbuf_deflate(json.data, json.len, 6, &z, &err) != FB_OK)
			die("deflate", &err);
		t = now_s() - t;
		if (t < best)
			best = t;
	}
	printf("json_bytes=%zu\nzlib_bytes=%zu\nzlib_s=%.4f\nzlib_mbps=%.1f\n",
	       json.len, z.len, best, (double)json.len / 1e6 / best);
	buf_release(&json);
	buf_release(&z);

	/* One transaction per record: a dataset of that size, same mix. */
	gen(&s, single, seed + 1);
	snprintf(path, sizeof(path), "%s/single.db", dir);
	b = new_book(path, BENCH_BRANCH);
	t = add_each_own_tx(b, &s);
	book_close(b);
	printf("add_single_n=%zu\nadd_single_s=%.4f\nadd_single_rps=%.1f\n", single, t,
	       (double)single / t);
	snprintf(path, sizeof(path), "%s/raw1.db", dir);
	t = raw_insert(path, &s, 0);
	printf("raw_single_s=%.4f\nraw_single_rps=%.1f\n", t, (double)single / t);
	dataset_free(&s);
	dataset_free(&d);
	return 0;
}

static void make_db(const char *path, const char *branch, size_t n, uint64_t seed,
		    double *secs)
{
	struct dataset d;
	struct book *b;

	gen(&d, n, seed);
	b = new_book(path, branch);
	*secs = add_all_one_tx(b, &d);
	book_close(b);
	dataset_free(&d);
}

static int cmd_make(int argc, char **argv)
{
	double t;
	size_t n;

	if (argc != 6)
		return 64;
	n = arg_size(argv[4]);
	make_db(argv[2], argv[3], n, arg_size(argv[5]), &t);
	printf("make_s=%.4f\nmake_rps=%.0f\n", t, (double)n / t);
	return 0;
}

/* The best time of NAMES_REPEATS reads of every row of sql, in ms. */
static double names_sort_ms(sqlite3 *db, const char *sql, size_t n)
{
	double best = 0;
	int k;

	for (k = 0; k < NAMES_REPEATS; k++) {
		sqlite3_stmt *q = NULL;
		size_t rows = 0;
		double t = now_s();

		if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
			die(sqlite3_errmsg(db), NULL);
		while (sqlite3_step(q) == SQLITE_ROW)
			rows++;
		sqlite3_finalize(q);
		t = (now_s() - t) * 1e3;
		if (rows != n)
			die("names: rows missing", NULL);
		if (k == 0 || t < best)
			best = t;
	}
	return best;
}

static int cmd_names(int argc, char **argv)
{
	struct fb_error err = { 0 };
	sqlite3_stmt *ins = NULL;
	sqlite3 *db = NULL;
	size_t n, i;
	char name[256];

	if (argc != 4)
		return 64;
	n = arg_size(argv[2]);
	rng_state = arg_size(argv[3]);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || fb_collate_register(db, &err) != FB_OK)
		die("names", &err);
	if (sqlite3_exec(db, "CREATE TABLE m(full_name TEXT); BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO m VALUES(?1)", -1, &ins, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db), NULL);
	for (i = 0; i < n; i++) {
		person_name(name, sizeof(name));
		sqlite3_bind_text(ins, 1, name, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die(sqlite3_errmsg(db), NULL);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db), NULL);
	printf("names_n=%zu\n", n);
	printf("names_bytes_ms=%.1f\n", names_sort_ms(db, "SELECT full_name FROM m ORDER BY full_name", n));
	printf("names_vi_ms=%.1f\n", names_sort_ms(db, "SELECT full_name FROM m"
						 " ORDER BY fb_vi_name_key(full_name)", n));
	sqlite3_close(db);
	fb_collate_cleanup();
	return 0;
}

#define FLEET_BRANCHES_PER_COMMUNE 10

static int cmd_fleet(int argc, char **argv)
{
	char path[4096], branch[FB_BRANCH_CODE_MAX + 1];
	size_t count, n, i;
	uint64_t seed;
	double t, total = 0;
	FILE *f;

	if (argc != 6)
		return 64;
	count = arg_size(argv[3]);
	n = arg_size(argv[4]);
	seed = arg_size(argv[5]);
	snprintf(path, sizeof(path), "%s/units.csv", argv[2]);
	f = fopen(path, "w");
	if (!f)
		die(path, NULL);
	fprintf(f, "code,parent,level,name\nHN.BV,HN,district,Huyện Ba Vì\n");
	for (i = 0; i < count; i += FLEET_BRANCHES_PER_COMMUNE)
		fprintf(f, "HN.BV.X%03zu,HN.BV,commune,Xã số %zu\n",
			i / FLEET_BRANCHES_PER_COMMUNE, i / FLEET_BRANCHES_PER_COMMUNE + 1);
	for (i = 0; i < count; i++)
		fprintf(f, "HN.BV.X%03zu.%02zu,HN.BV.X%03zu,branch,Chi hội %zu\n",
			i / FLEET_BRANCHES_PER_COMMUNE, i % FLEET_BRANCHES_PER_COMMUNE,
			i / FLEET_BRANCHES_PER_COMMUNE, i % FLEET_BRANCHES_PER_COMMUNE + 1);
	if (fclose(f))
		die(path, NULL);
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/dev-%03zu.db", argv[2], i);
		snprintf(branch, sizeof(branch), "HN.BV.X%03zu.%02zu",
			 i / FLEET_BRANCHES_PER_COMMUNE, i % FLEET_BRANCHES_PER_COMMUNE);
		make_db(path, branch, n, seed + i, &t);
		total += t;
		printf("%s %s\n", path, branch);
	}
	fprintf(stderr, "fleet: %zu databases of %zu records, book_add %.0f records/s\n",
		count, n, (double)(count * n) / total);
	return 0;
}

/* --- a province's hub, written directly --------------------------------- */

#define HUB_BRANCHES_PER_COMMUNE 10
#define HUB_COMMUNES_PER_DISTRICT 20
#define HUB_STALE_EVERY 20            /* one branch in 20 last pushed 40 days ago */
#define HUB_STAMP "\"0190d2a1c4000000:1f2e3d4c5b6a7988\""

/* The JSON of an item's fields as the store keeps it (book_state.c). */
static void item_json(const struct item *it, struct fb_buf *vals, struct fb_buf *clk)
{
	size_t j;

	buf_reset(vals);
	buf_reset(clk);
	buf_addc(vals, '{');
	buf_addc(clk, '{');
	for (j = 0; j < it->nf; j++) {
		if (j) {
			buf_addc(vals, ',');
			buf_addc(clk, ',');
		}
		buf_json_str(vals, it->fv[j].name);
		buf_addc(vals, ':');
		buf_json_str(vals, it->fv[j].value);
		buf_json_str(clk, it->fv[j].name);
		buf_adds(clk, ":" HUB_STAMP);
	}
	if (buf_addc(vals, '}') != FB_OK || buf_addc(clk, '}') != FB_OK)
		die("out of memory", NULL);
}

/*
 * fbbench hubfill DB BRANCHES N SEED: into the hub database DB (made by
 * `fieldbook-hub init --unit HN`), a province's tree (districts of 20
 * communes of 10 branches), a laptop enrolled for each branch that last
 * pushed 1 to 10 days ago (one in 20: 40 days ago), and each branch's N
 * records of the mix above, written straight into the record table in
 * one transaction.  The hub's report reads those tables only: this
 * fills a hub of thousands of branches in seconds, where as many
 * laptops pushing would take an hour.  No journal is written, so such
 * a hub is for `report` alone (verify would refuse it).
 */
static int cmd_hubfill(int argc, char **argv)
{
	struct fb_buf vals = FB_BUF_INIT(0), clk = FB_BUF_INIT(0);
	sqlite3 *db = NULL;
	sqlite3_stmt *unit = NULL, *dev = NULL, *rec = NULL;
	char code[96], parent[64], name[64];
	unsigned char hash[32];
	size_t count, n, i, k, dist, com;
	uint64_t seed;
	double t0;

	if (argc != 6)
		return 64;
	count = arg_size(argv[3]);
	n = arg_size(argv[4]);
	seed = arg_size(argv[5]);
	t0 = now_s();
	sql_ok(db, sqlite3_open(argv[2], &db), argv[2]);
	sql_ok(db, sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
				" PRAGMA cache_size=-65536; BEGIN IMMEDIATE", NULL, NULL, NULL),
	       "begin");
	sql_ok(db, sqlite3_prepare_v2(db, "INSERT INTO unit(code, parent, level, name)"
				      " VALUES(?1, ?2, ?3, ?4)", -1, &unit, NULL), "unit");
	sql_ok(db, sqlite3_prepare_v2(db, "INSERT INTO device(name, unit, token_hash, device,"
				      " created, last_seen) VALUES('Laptop ' || ?1, ?1, ?2, ?3,"
				      " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-400 days'),"
				      " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?4))", -1, &dev, NULL),
	       "device");
	sql_ok(db, sqlite3_prepare_v2(db, "INSERT INTO record(id, type, branch, deleted, vals, clk)"
				      " VALUES(?1, ?2, ?3, 0, ?4, ?5)", -1, &rec, NULL), "record");
	for (i = 0; i < count; i++) {
		struct dataset d;
		char devid[17], ago[32];

		dist = i / (HUB_BRANCHES_PER_COMMUNE * HUB_COMMUNES_PER_DISTRICT);
		com = i / HUB_BRANCHES_PER_COMMUNE;
		if (i % (HUB_BRANCHES_PER_COMMUNE * HUB_COMMUNES_PER_DISTRICT) == 0) {
			snprintf(code, sizeof(code), "HN.D%02zu", dist);
			snprintf(name, sizeof(name), "Huyện số %zu", dist + 1);
			sqlite3_bind_text(unit, 1, code, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(unit, 2, "HN", -1, SQLITE_STATIC);
			sqlite3_bind_text(unit, 3, "district", -1, SQLITE_STATIC);
			sqlite3_bind_text(unit, 4, name, -1, SQLITE_TRANSIENT);
			sql_ok(db, sqlite3_step(unit), "unit");
			sqlite3_reset(unit);
		}
		if (i % HUB_BRANCHES_PER_COMMUNE == 0) {
			snprintf(parent, sizeof(parent), "HN.D%02zu", dist);
			snprintf(code, sizeof(code), "HN.D%02zu.X%03zu", dist, com);
			snprintf(name, sizeof(name), "Xã số %zu", com + 1);
			sqlite3_bind_text(unit, 1, code, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(unit, 2, parent, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(unit, 3, "commune", -1, SQLITE_STATIC);
			sqlite3_bind_text(unit, 4, name, -1, SQLITE_TRANSIENT);
			sql_ok(db, sqlite3_step(unit), "unit");
			sqlite3_reset(unit);
		}
		snprintf(parent, sizeof(parent), "HN.D%02zu.X%03zu", dist, com);
		snprintf(code, sizeof(code), "%s.%02zu", parent, i % HUB_BRANCHES_PER_COMMUNE);
		snprintf(name, sizeof(name), "Chi hội %zu", i % HUB_BRANCHES_PER_COMMUNE + 1);
		sqlite3_bind_text(unit, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(unit, 2, parent, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(unit, 3, "branch", -1, SQLITE_STATIC);
		sqlite3_bind_text(unit, 4, name, -1, SQLITE_TRANSIENT);
		sql_ok(db, sqlite3_step(unit), "unit");
		sqlite3_reset(unit);

		rng_state = seed + i;
		for (k = 0; k < sizeof(hash); k++)
			hash[k] = (unsigned char)rng_below(256);
		snprintf(devid, sizeof(devid), "%016llx", (unsigned long long)rng_next());
		snprintf(ago, sizeof(ago), "-%u days",
			 i % HUB_STALE_EVERY == HUB_STALE_EVERY - 1 ? 40 : 1 + rng_below(10));
		sqlite3_bind_text(dev, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_blob(dev, 2, hash, sizeof(hash), SQLITE_TRANSIENT);
		sqlite3_bind_text(dev, 3, devid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(dev, 4, ago, -1, SQLITE_TRANSIENT);
		sql_ok(db, sqlite3_step(dev), "device");
		sqlite3_reset(dev);

		gen(&d, n, seed + i);
		for (k = 0; k < d.n; k++) {
			struct item *it = &d.it[k];

			if (it->type == REC_ATTENDANCE) {
				resolve_refs(&d, it);
				model_attendance_id(d.it[it->ref_training].id,
						    d.it[it->ref_member].id, it->id);
			} else if (model_new_uuid(it->id) != FB_OK) {
				die("no random bytes for an id", NULL);
			}
			item_json(it, &vals, &clk);
			sqlite3_bind_text(rec, 1, it->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(rec, 2, model_type(it->type)->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(rec, 3, code, -1, SQLITE_STATIC);
			sqlite3_bind_text(rec, 4, buf_str(&vals), -1, SQLITE_STATIC);
			sqlite3_bind_text(rec, 5, buf_str(&clk), -1, SQLITE_STATIC);
			sql_ok(db, sqlite3_step(rec), "record");
			sqlite3_reset(rec);
		}
		dataset_free(&d);
	}
	sqlite3_finalize(unit);
	sqlite3_finalize(dev);
	sqlite3_finalize(rec);
	/* A fixture, written without a journal, then put back as the hub
	 * keeps it. */
	sql_ok(db, sqlite3_exec(db, "COMMIT; PRAGMA journal_mode=WAL", NULL, NULL, NULL),
	       "commit");
	sqlite3_close(db);
	buf_release(&vals);
	buf_release(&clk);
	printf("hubfill_s=%.2f\n", now_s() - t0);
	return 0;
}

/* --- the many-devices load generator --------------------------------- */

#define PUSH_DEVICES_MAX 4096

struct device {
	struct fb_buf body[64];          /* deflated push bodies, in order */
	uint64_t last[64];               /* the last sequence of each */
	size_t count[64];                /* the changes (records) in each */
	size_t nbody, next, records;     /* records: acknowledged */
	CURL *h;
	struct curl_slist *headers;
	struct fb_buf answer;
	double started, sent_at;
	uint64_t acked;
	int done, failed;
};

static size_t on_answer(char *p, size_t size, size_t n, void *cls)
{
	struct fb_buf *b = cls;

	return buf_add(b, p, size * n) == FB_OK ? size * n : 0;
}

/* Read dev's journal into deflated bodies, as `fieldbook sync` would. */
static void load_device(const char *db, struct device *dev, char **url)
{
	struct jchange *changes = calloc(SYNC_BATCH_MAX, sizeof(*changes));
	struct fb_buf json = FB_BUF_INIT(0);
	struct fb_error err;
	struct book *b = NULL;
	char *token = NULL, *auth = NULL;
	uint64_t after = 0;
	size_t size = SYNC_BATCH_FIRST, n, i;

	if (!changes || book_open(db, NULL, &b, &err) != FB_OK)
		die(db, &err);
	if (store_meta_get(b->st, "remote_url", url, &err) != FB_OK || !*url ||
	    store_meta_get(b->st, "remote_token", &token, &err) != FB_OK || !token)
		die("reading the remote", &err);
	for (;;) {
		if (dev->nbody == sizeof(dev->body) / sizeof(dev->body[0]))
			die("too many batches for one device", NULL);
		if (book_own_changes(b, after, changes, size, SYNC_PUSH_BYTES, &n, &err) != FB_OK)
			die("reading the journal", &err);
		if (n == 0)
			break;
		buf_reset(&json);
		dev->body[dev->nbody] = (struct fb_buf)FB_BUF_INIT(WIRE_ZBODY_MAX);
		if (wire_push_encode(changes, n, NULL, &json) != FB_OK ||
		    zbuf_deflate(json.data, json.len, ZBUF_LEVEL, &dev->body[dev->nbody], &err) != FB_OK)
			die("encoding a batch", &err);
		after = changes[n - 1].seq + changes[n - 1].n - 1;
		dev->count[dev->nbody] = n;
		dev->last[dev->nbody++] = after;
		for (i = 0; i < n; i++)
			jchange_release(&changes[i]);
		size = size >= SYNC_BATCH_MAX / 2 ? SYNC_BATCH_MAX : size * 2;
	}
	if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
		die("out of memory", NULL);
	dev->headers = curl_slist_append(NULL, auth);
	dev->headers = curl_slist_append(dev->headers, "Content-Type: application/json");
	dev->headers = curl_slist_append(dev->headers, "Content-Encoding: deflate");
	dev->headers = curl_slist_append(dev->headers, "Expect:");
	free(auth);
	free(token);
	free(changes);
	buf_release(&json);
	book_close(b);
}

static void send_next(CURLM *m, struct device *dev, const char *url)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/v2/push", url);
	buf_reset(&dev->answer);
	curl_easy_reset(dev->h);
	curl_easy_setopt(dev->h, CURLOPT_URL, path);
	curl_easy_setopt(dev->h, CURLOPT_HTTPHEADER, dev->headers);
	curl_easy_setopt(dev->h, CURLOPT_POSTFIELDS, dev->body[dev->next].data);
	curl_easy_setopt(dev->h, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)dev->body[dev->next].len);
	curl_easy_setopt(dev->h, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(dev->h, CURLOPT_WRITEDATA, &dev->answer);
	curl_easy_setopt(dev->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(dev->h, CURLOPT_PRIVATE, dev);
	dev->sent_at = now_s();
	curl_multi_add_handle(m, dev->h);
}

static int cmd_push(int argc, char **argv)
{
	static struct device devs[PUSH_DEVICES_MAX];
	char db[4096], branch[256], *url = NULL;
	size_t ndev = 0, i, done = 0, requests = 0, non200 = 0, failed = 0;
	uint64_t records = 0;
	double timeout, t0, t1;
	FILE *list, *lat, *devt;
	CURLM *m;

	if (argc != 7)
		return 64;
	timeout = (double)arg_size(argv[4]);
	list = fopen(argv[2], "r");
	lat = fopen(argv[5], "w");
	devt = fopen(argv[6], "w");
	if (!list || !lat || !devt)
		die("opening the lists", NULL);
	while (ndev < PUSH_DEVICES_MAX && fscanf(list, "%4095s %255s", db, branch) == 2) {
		free(url);
		url = NULL;
		load_device(db, &devs[ndev], &url);
		devs[ndev].answer = (struct fb_buf)FB_BUF_INIT(1 << 20);
		devs[ndev].h = curl_easy_init();
		if (!devs[ndev].h)
			die("curl", NULL);
		ndev++;
	}
	fclose(list);
	if (!url)
		die("no devices", NULL);
	/* Every remote is the same hub; the URL given is only a check. */
	if (strcmp(url, argv[3]))
		die("the devices' remote is not the hub given", NULL);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)ndev);
	t0 = now_s();
	for (i = 0; i < ndev; i++) {
		devs[i].started = t0;
		if (devs[i].nbody == 0) {
			devs[i].done = 1;
			done++;
		} else {
			send_next(m, &devs[i], url);
		}
	}
	while (done < ndev && now_s() - t0 < timeout) {
		CURLMsg *msg;
		int running, left;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			struct device *dev = NULL;
			long status = 0;
			cJSON *ans;
			const cJSON *ack;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&dev);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
			curl_multi_remove_handle(m, msg->easy_handle);
			requests++;
			fprintf(lat, "%.1f\n", (now_s() - dev->sent_at) * 1000);
			ans = cJSON_ParseWithLength(buf_str(&dev->answer), dev->answer.len);
			ack = cJSON_GetObjectItemCaseSensitive(ans, "ack");
			if (msg->data.result != CURLE_OK) {
				failed++;
				dev->failed = 1;
			} else if (status != 200 || !cJSON_IsNumber(ack) ||
				   (uint64_t)ack->valuedouble != dev->last[dev->next]) {
				non200++;
				dev->failed = 1;
			} else {
				dev->acked = (uint64_t)ack->valuedouble;
				dev->records += dev->count[dev->next];
				dev->next++;
			}
			cJSON_Delete(ans);
			if (!dev->failed && dev->next < dev->nbody) {
				send_next(m, dev, url);
			} else {
				dev->done = 1;
				done++;
				records += dev->records;
				fprintf(devt, "%.1f\n", (now_s() - dev->started) * 1000);
			}
		}
		if (done < ndev)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	t1 = now_s();
	printf("fleet_devices=%zu\nfleet_ms=%.1f\nfleet_records=%llu\nfleet_gen_requests=%zu\n"
	       "fleet_failed_syncs=%zu\nfleet_gen_non200=%zu\nfleet_unfinished=%zu\n",
	       ndev, (t1 - t0) * 1000, (unsigned long long)records, requests,
	       failed, non200, ndev - done);
	for (i = 0; i < ndev; i++) {
		size_t k;

		if (!devs[i].done)
			curl_multi_remove_handle(m, devs[i].h);
		curl_easy_cleanup(devs[i].h);
		curl_slist_free_all(devs[i].headers);
		buf_release(&devs[i].answer);
		for (k = 0; k < devs[i].nbody; k++)
			buf_release(&devs[i].body[k]);
	}
	curl_multi_cleanup(m);
	free(url);
	fclose(lat);
	fclose(devt);
	return 0;
}

/* --- report ----------------------------------------------------------- */

struct kv {
	char key[64];
	char val[192];
};

static struct kv kvs[256];
static size_t nkv;

static const char *kv_get(const char *key)
{
	size_t i;

	for (i = nkv; i-- > 0;)
		if (!strcmp(kvs[i].key, key))
			return kvs[i].val;
	return NULL;
}

static double kv_num(const char *key)
{
	const char *v = kv_get(key);
	char *end;
	double d;

	if (!v || !*v)
		return NAN;
	d = strtod(v, &end);
	return *end ? NAN : d;
}

enum target_kind {
	T_NONE,         /* informational */
	T_RATIO_GE,     /* ratio >= x */
	T_RATIO_LE,     /* ratio <= x */
	T_VALUE_LE,     /* value <= x */
	T_VALUE_LT,     /* value < x */
	T_VALUE_EQ,     /* value == x */
	T_VALUE_GE,     /* value >= x */
};

struct figure {
	const char *section;
	const char *name;
	const char *unit;
	const char *value_key;
	const char *limit_key;     /* NULL: no limit; "=N" a constant */
	const char *limit_name;
	enum target_kind kind;
	double x;
	const char *target;
};

static const struct figure figures[] = {
	{ "limits", "raw SQLite insert, one transaction", "rows/s", "raw_tx_rps",
	  NULL, NULL, T_NONE, 0, "" },
	{ "limits", "raw SQLite insert, one transaction per row", "rows/s",
	  "raw_single_rps", NULL, NULL, T_NONE, 0, "" },
	{ "limits", "zlib-6 of the records as JSON lines", "B/record", "zlib_bpr",
	  "json_bpr", "JSON B/record", T_NONE, 0, "" },
	{ "limits", "zlib-6 speed", "MB/s", "zlib_mbps", NULL, NULL, T_NONE, 0, "" },
	{ "limits", "start a fieldbook process (--version)", "ms", "exec_ms", NULL,
	  NULL, T_NONE, 0, "" },
	{ "limits", "the hub's rows of the push, by plain SQL", "records/s", "floor_rps",
	  "raw_tx_rps", "raw insert", T_NONE, 0, "" },

	{ "collector", "book_add, one transaction", "records/s", "add_tx_rps",
	  "raw_tx_rps", "raw insert", T_NONE, 0, "" },
	{ "collector", "book_add, one transaction each", "records/s", "add_single_rps",
	  "raw_single_rps", "raw insert, tx each", T_NONE, 0, "" },
	{ "collector", "training add process, 1k records", "ms", "add_ms_1k",
	  "exec_ms", "fieldbook --version", T_NONE, 0, "" },
	{ "collector", "sort 200k names in Vietnamese order (list members)", "ms",
	  "names_vi_ms", "names_bytes_ms", "by bytes", T_NONE, 0, "" },
	{ "collector", "training add process, 100k records", "ms", "add_ms_big",
	  "add_ms_1k", "same at 1k", T_RATIO_LE, 1.5, "<= 1.5x at 1k" },

	{ "sync", "first push", "records/s", "push_rps", "raw_tx_rps", "raw insert",
	  T_RATIO_GE, 0.25, ">= 25% of raw" },
	{ "sync", "first push, against the hub's rows by SQL", "records/s", "push_rps",
	  "floor_rps", "plain SQL", T_NONE, 0, "" },
	{ "sync", "first push: HTTP requests", "requests", "push_requests",
	  "push_min_requests", "4000/batch", T_NONE, 0, "" },
	{ "sync", "first push: bytes sent per record", "B/record", "push_bpr",
	  "zlib_bpr", "zlib-6 B/record", T_RATIO_LE, 1.3, "<= 1.3x zlib-6" },
	{ "sync", "pull into a second collector", "records/s", "pull_rps",
	  "raw_tx_rps", "raw insert", T_NONE, 0, "" },
	{ "sync", "pull, against the first push", "records/s", "pull_rps",
	  "push_rps", "first push", T_RATIO_GE, 0.8, ">= 0.8x first push" },
	{ "sync", "pull: bytes received per record", "B/record", "pull_bpr",
	  "zlib_bpr", "zlib-6 B/record", T_RATIO_LE, 1.3, "<= 1.3x zlib-6" },
	{ "sync", "relay to a hub above", "records/s", "relay_rps",
	  "push_rps", "first push", T_RATIO_GE, 0.5, ">= 0.5x first push" },
	{ "sync", "relay: bytes sent per record", "B/record", "relay_bpr",
	  "zlib_bpr", "zlib-6 B/record", T_RATIO_LE, 1.3, "<= 1.3x zlib-6" },
	{ "sync", "relay with nothing new: requests", "requests", "relay_none_req",
	  NULL, NULL, T_VALUE_EQ, 1, "= 1" },
	{ "sync", "relay with nothing new: bytes both ways", "bytes", "relay_none_bytes",
	  NULL, NULL, T_VALUE_LT, 1024, "< 1 KiB" },
	{ "sync", "bundle export", "records/s", "bundle_export_rps",
	  "push_rps", "first push", T_NONE, 0, "" },
	{ "sync", "bundle: file bytes per record", "B/record", "bundle_bpr",
	  "zlib_bpr", "zlib-6 B/record", T_NONE, 0, "" },
	{ "sync", "bundle import at the hub", "records/s", "bundle_import_rps",
	  "push_rps", "first push", T_NONE, 0, "" },
	{ "sync", "one changed field, 1k: requests", "requests", "one_req_1k",
	  NULL, NULL, T_VALUE_EQ, 1, "= 1" },
	{ "sync", "one changed field, 1k: bytes both ways", "bytes", "one_bytes_1k",
	  NULL, NULL, T_VALUE_LT, 1024, "< 1 KiB" },
	{ "sync", "one changed field, 1k: time", "ms", "one_ms_1k",
	  NULL, NULL, T_NONE, 0, "" },
	{ "sync", "one changed field, 100k: requests", "requests", "one_req_big",
	  NULL, NULL, T_VALUE_EQ, 1, "= 1" },
	{ "sync", "one changed field, 100k: bytes both ways", "bytes", "one_bytes_big",
	  NULL, NULL, T_VALUE_LT, 1024, "< 1 KiB" },
	{ "sync", "one changed field, 100k: time", "ms", "one_ms_big",
	  "one_ms_1k", "same at 1k", T_RATIO_LE, 1.5, "<= 1.5x at 1k" },
	{ "sync", "nothing to do, 1k: requests", "requests", "none_req_1k",
	  NULL, NULL, T_VALUE_EQ, 1, "= 1" },
	{ "sync", "nothing to do, 1k: bytes both ways", "bytes", "none_bytes_1k",
	  NULL, NULL, T_VALUE_LT, 512, "< 512 B" },
	{ "sync", "nothing to do, 1k: time", "ms", "none_ms_1k",
	  NULL, NULL, T_NONE, 0, "" },
	{ "sync", "nothing to do, 100k: requests", "requests", "none_req_big",
	  NULL, NULL, T_VALUE_EQ, 1, "= 1" },
	{ "sync", "nothing to do, 100k: bytes both ways", "bytes", "none_bytes_big",
	  NULL, NULL, T_VALUE_LT, 512, "< 512 B" },
	{ "sync", "nothing to do, 100k: time", "ms", "none_ms_big",
	  "none_ms_1k", "same at 1k", T_RATIO_LE, 1.5, "<= 1.5x at 1k" },

	{ "2G link", "first sync, 3k members: share of the link used", "of link",
	  "link_push_util", NULL, NULL, T_VALUE_GE, 0.8, ">= 0.8" },
	{ "2G link", "first sync, cut every 6 s: bytes sent", "bytes",
	  "link_cut_push_bytes", "link_push_bytes", "clean link", T_RATIO_LE, 1.3,
	  "<= 1.3x clean" },
	{ "2G link", "first sync, cut every 6 s: time", "ms", "link_cut_push_ms",
	  "link_push_ms", "clean link", T_RATIO_LE, 2, "<= 2x clean" },
	{ "2G link", "first sync, cut every 6 s: runs of sync", "runs",
	  "link_cut_push_runs", NULL, NULL, T_VALUE_EQ, 1, "= 1" },
	{ "2G link", "first pull, 3k records: share of the link used", "of link",
	  "link_pull_util", NULL, NULL, T_VALUE_GE, 0.8, ">= 0.8" },
	{ "2G link", "first pull, cut every 6 s: bytes received", "bytes",
	  "link_cut_pull_bytes", "link_clean_pull_bytes", "clean link", T_RATIO_LE, 1.3,
	  "<= 1.3x clean" },
	{ "2G link", "first pull, cut every 6 s: time", "ms", "link_cut_pull_ms",
	  "link_clean_pull_ms", "clean link", T_RATIO_LE, 2, "<= 2x clean" },
	{ "2G link", "first pull, cut every 6 s: runs of sync", "runs",
	  "link_cut_pull_runs", NULL, NULL, T_VALUE_EQ, 1, "= 1" },
	{ "report", "records on the devices' hub", "records", "report_records",
	  "fleet_expected", "records pushed", T_NONE, 0, "" },
	{ "report", "read every record by plain SQL, devices' hub", "ms", "report_floor_ms", NULL,
	  NULL, T_NONE, 0, "" },
	{ "report", "report --by branch, the devices' hub", "ms", "report_branch_ms",
	  "report_floor_ms", "records by SQL", T_VALUE_LT, 1000, "< 1 s" },
	{ "report", "report --by commune, the devices' hub", "ms", "report_commune_ms",
	  "report_floor_ms", "records by SQL", T_VALUE_LT, 1000, "< 1 s" },
	{ "report", "report --by district, the devices' hub", "ms", "report_district_ms",
	  "report_floor_ms", "records by SQL", T_VALUE_LT, 1000, "< 1 s" },
	{ "report", "report --by province, the devices' hub", "ms", "report_province_ms",
	  "report_floor_ms", "records by SQL", T_VALUE_LT, 1000, "< 1 s" },
	{ "report", "--by branch, 200 x 1,000 (200k, hubfill)", "ms", "report_g200_ms",
	  "report_branch_ms", "same, pushed", T_NONE, 0, "" },
	{ "report", "--by branch, 2,000 x 100 (same records)", "ms", "report_g2000_ms",
	  "report_g200_ms", "200 x 1,000", T_RATIO_LE, 1.5, "<= 1.5x at 10x branches" },
	{ "report", "--by province, 2,000 x 100", "ms", "report_g2000_province_ms",
	  "report_g2000_ms", "--by branch", T_NONE, 0, "" },
	{ "report", "--by branch, 2,000 x 1,000 (2M records)", "ms", "report_big_ms",
	  "report_g200_ms", "200 x 1,000", T_NONE, 0, "" },
	{ "report", "--by branch, 2M records: per 100k records", "ms", "report_big_per100k",
	  "report_g200_per100k", "same at 200k", T_RATIO_LE, 1.5, "<= 1.5x: as the records" },

	{ "hub", "devices pushing at once", "devices", "fleet_devices", NULL, NULL,
	  T_NONE, 0, "" },
	{ "hub", "all devices: total throughput", "records/s", "fleet_rps",
	  "push_rps", "1 device push", T_RATIO_GE, 0.5, ">= 0.5x one device" },
	{ "hub", "all devices: push latency p50 (hub log)", "ms", "fleet_p50", NULL, NULL,
	  T_NONE, 0, "" },
	{ "hub", "all devices: push latency p99 (hub log)", "ms", "fleet_p99", NULL, NULL,
	  T_NONE, 0, "" },
	{ "hub", "all devices: whole sync per device p50", "ms", "fleet_dev_p50", NULL,
	  NULL, T_NONE, 0, "" },
	{ "hub", "all devices: whole sync per device p99", "ms", "fleet_dev_p99", NULL,
	  NULL, T_NONE, 0, "" },
	{ "hub", "all devices: errors (failed syncs + non-200)", "errors",
	  "fleet_errors", NULL, NULL, T_VALUE_EQ, 0, "= 0" },
	{ "hub", "all devices: records acknowledged", "records", "fleet_records",
	  "fleet_expected", "records pushed", T_NONE, 0, "" },
	{ "hub", "all devices: hub peak memory (VmHWM)", "MB", "fleet_hwm_mb",
	  "hwm_big_mb", "after 100k push", T_NONE, 0, "" },
	{ "PostgreSQL", "first push, one device", "records/s", "pg_push_rps",
	  "push_rps", "SQLite hub", T_RATIO_GE, 0.5, ">= 0.5x SQLite" },
	{ "PostgreSQL", "pull, against the SQLite hub's", "records/s", "pg_pull_rps",
	  "pull_rps", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "hub peak memory after the push and pull (VmHWM)", "MB",
	  "pg_hwm_mb", "hwm_big_mb", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "all devices at once: total throughput", "records/s",
	  "pg_fleet_rps", "pg_push_rps", "1 device, PostgreSQL", T_RATIO_GE, 1,
	  ">= 1x one device" },
	{ "PostgreSQL", "all devices at once, SQLite hub's", "records/s", "fleet_rps",
	  "pg_fleet_rps", "PostgreSQL", T_NONE, 0, "" },
	{ "PostgreSQL", "all devices: errors (failed syncs + non-200)", "errors",
	  "pg_fleet_errors", NULL, NULL, T_VALUE_EQ, 0, "= 0" },
	{ "PostgreSQL", "all devices: records in the hub's journal", "records",
	  "pg_fleet_hub_records", "fleet_expected", "records pushed", T_NONE, 0, "" },
	{ "PostgreSQL", "all devices: push latency p50 (hub log)", "ms", "pg_fleet_p50",
	  "fleet_p50", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "all devices: push latency p99 (hub log)", "ms", "pg_fleet_p99",
	  "fleet_p99", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "all devices: hub peak memory (VmHWM)", "MB", "pg_fleet_hwm_mb",
	  "fleet_hwm_mb", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "a day's changes (small pushes) at once: requests/s", "requests/s",
	  "pg_small_req_s", "sq_small_req_s", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "small pushes: latency p50 (hub log)", "ms", "pg_small_p50",
	  "sq_small_p50", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "small pushes: latency p99 (hub log)", "ms", "pg_small_p99",
	  "sq_small_p99", "SQLite hub", T_NONE, 0, "" },
	{ "PostgreSQL", "small pushes: errors, PostgreSQL", "errors", "pg_small_errors",
	  NULL, NULL, T_VALUE_EQ, 0, "= 0" },
	{ "PostgreSQL", "small pushes: errors, SQLite", "errors", "sq_small_errors",
	  NULL, NULL, T_VALUE_EQ, 0, "= 0" },
	{ "hub", "unit import: units in a country's list", "units", "units_rows", NULL,
	  NULL, T_NONE, 0, "" },
	{ "hub", "unit import of that list", "ms", "units_import_ms", "units_raw_ms",
	  "sqlite3 .import", T_VALUE_LT, 5000, "< 5 s" },
	{ "hub", "unit import of it again (nothing written)", "ms", "units_reimport_ms",
	  "units_import_ms", "first import", T_RATIO_LE, 1, "<= 1x first" },
	{ "hub", "hub peak memory after 10k records", "MB", "hwm_10k_mb", NULL, NULL,
	  T_NONE, 0, "" },
	{ "hub", "hub peak memory after 100k records", "MB", "hwm_big_mb",
	  "hwm_10k_mb", "after 10k", T_RATIO_LE, 2, "bounded: <= 2x at 10x records" },
};

static void fmt_num(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else if (fabs(v) >= 100 || v == floor(v))
		snprintf(out, n, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(out, n, "%.1f", v);
	else
		snprintf(out, n, "%.2f", v);
}

/* 1 met, 0 not met, -1 no target or no value. */
static int judge(const struct figure *f, double value, double ratio)
{
	switch (f->kind) {
	case T_RATIO_GE: return isnan(ratio) ? 0 : ratio >= f->x;
	case T_RATIO_LE: return isnan(ratio) ? 0 : ratio <= f->x;
	case T_VALUE_LE: return isnan(value) ? 0 : value <= f->x;
	case T_VALUE_LT: return isnan(value) ? 0 : value < f->x;
	case T_VALUE_EQ: return isnan(value) ? 0 : value == f->x;
	case T_VALUE_GE: return isnan(value) ? 0 : value >= f->x;
	default:         return -1;
	}
}

static char *rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static void json_num(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

static int cmd_report(int argc, char **argv)
{
	static const char *const machine_keys[] = { "machine_cpu", "machine_nproc",
		"machine_mem", "machine_disk", "machine_sqlite", "machine_zlib", "date",
		"bench_seconds", NULL };
	cJSON *root, *figs, *raw, *mach;
	char line[512], row[256], v[32], l[32], r[32], *s;
	const char *section = "";
	size_t i, met = 0, missed = 0;
	FILE *f;

	if (argc != 4)
		return 64;
	f = fopen(argv[2], "r");
	if (!f)
		die(argv[2], NULL);
	while (fgets(line, sizeof(line), f) && nkv < sizeof(kvs) / sizeof(kvs[0])) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (!eq)
			continue;
		*eq = '\0';
		snprintf(kvs[nkv].key, sizeof(kvs[nkv].key), "%.63s", line);
		snprintf(kvs[nkv].val, sizeof(kvs[nkv].val), "%.191s", eq + 1);
		nkv++;
	}
	fclose(f);

	root = cJSON_CreateObject();
	mach = cJSON_AddObjectToObject(root, "machine");
	for (i = 0; machine_keys[i]; i++)
		if (kv_get(machine_keys[i]))
			cJSON_AddStringToObject(mach, machine_keys[i], kv_get(machine_keys[i]));
	figs = cJSON_AddArrayToObject(root, "figures");

	snprintf(row, sizeof(row), "%-44s %12s %-9s %12s %-20s %7s  %-24s %s", "figure",
		 "value", "unit", "limit", "limit is", "ratio", "target", "status");
	printf("\n%s\n", rtrim(row));
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
		const struct figure *fg = &figures[i];
		double value = kv_num(fg->value_key), limit = NAN, ratio = NAN;
		int ok;
		cJSON *o;

		if (fg->limit_key)
			limit = kv_num(fg->limit_key);
		if (!isnan(limit) && limit != 0 && !isnan(value))
			ratio = value / limit;
		ok = judge(fg, value, ratio);
		if (ok == 1)
			met++;
		else if (ok == 0)
			missed++;
		if (strcmp(section, fg->section)) {
			section = fg->section;
			printf("-- %s\n", section);
		}
		fmt_num(value, v, sizeof(v));
		fmt_num(limit, l, sizeof(l));
		if (isnan(ratio))
			snprintf(r, sizeof(r), "-");
		else
			snprintf(r, sizeof(r), "%.2f", ratio);
		snprintf(row, sizeof(row), "%-44s %12s %-9s %12s %-20s %7s  %-24s %s", fg->name,
			 v, fg->unit, l, fg->limit_name ? fg->limit_name : "", r, fg->target,
			 ok == 1 ? "MET" : ok == 0 ? "NOT MET" : "");
		puts(rtrim(row));
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "section", fg->section);
		cJSON_AddStringToObject(o, "figure", fg->name);
		cJSON_AddStringToObject(o, "unit", fg->unit);
		json_num(o, "value", value);
		json_num(o, "limit", limit);
		if (fg->limit_name)
			cJSON_AddStringToObject(o, "limit_is", fg->limit_name);
		json_num(o, "ratio", ratio);
		if (ok >= 0) {
			cJSON_AddStringToObject(o, "target", fg->target);
			cJSON_AddBoolToObject(o, "met", ok);
		}
		cJSON_AddItemToArray(figs, o);
	}
	printf("\ntargets: %zu met, %zu not met\n", met, missed);
	cJSON_AddNumberToObject(root, "targets_met", (double)met);
	cJSON_AddNumberToObject(root, "targets_not_met", (double)missed);
	raw = cJSON_AddObjectToObject(root, "measurements");
	for (i = 0; i < nkv; i++) {
		double d = kv_num(kvs[i].key);

		if (!isnan(d) && !cJSON_GetObjectItemCaseSensitive(raw, kvs[i].key))
			cJSON_AddNumberToObject(raw, kvs[i].key, d);
		else if (!cJSON_GetObjectItemCaseSensitive(raw, kvs[i].key))
			cJSON_AddStringToObject(raw, kvs[i].key, kvs[i].val);
	}
	s = cJSON_Print(root);
	f = fopen(argv[3], "w");
	if (!s || !f || fputs(s, f) < 0 || fputc('\n', f) < 0 || fclose(f))
		die(argv[3], NULL);
	free(s);
	cJSON_Delete(root);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 64;

	if (argc >= 2 && !strcmp(argv[1], "collector"))
		rc = cmd_collector(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "make"))
		rc = cmd_make(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "fleet"))
		rc = cmd_fleet(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "hubfill"))
		rc = cmd_hubfill(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "push"))
		rc = cmd_push(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "names"))
		rc = cmd_names(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "report"))
		rc = cmd_report(argc, argv);
	if (rc == 64)
		fprintf(stderr, "usage: fbbench collector DIR N SINGLE SEED | make DB BRANCH N SEED"
			" | fleet DIR COUNT N SEED | hubfill DB BRANCHES N SEED | push LIST URL TIMEOUT LATENCIES DEVTIMES"
			" | names N SEED | report KV JSON\n");
	return rc;
}
