/*
 * test_converge.c - convergence property test of the merge rule and of
 * sync (docs/DATA-MODEL.md, docs/MERGE.md, docs/PROTOCOL.md), through the real code: collector books, the
 * wire codec and the hub's SQLite store, in one process.
 *
 * For each seed: a hub with units HN > HN.B1 (and HN.B2), 3 to 5
 * enrolled devices and as many collector books of HN.B1 (in half the
 * seeds one more of HN.B2), each with its own fake wall clock (one
 * hours behind, one that jumps backwards between operations, one that
 * runs a day fast at times, the others at or before the hub's), then
 * 20 to 60 random operations: adds, attendance
 * (the same pair on two laptops too), edits drawn from small sets of
 * values (so concurrent edits collide; Vietnamese text, some typed in
 * NFD or with spaces around), delete, restore, unattend, resolve
 * (--keep current|other as cmd_conflicts.c does), a restart of the
 * program, a second process writing the same book, the hub's operator
 * taking a backup and later restoring it, a laptop's database copied
 * and later put back over it (what it had not sent is gone with the
 * disk; what it records next must reach everyone), and syncs of one
 * replica at a time (push and pull, or one alone; small batches and
 * pages; an answer lost after the hub committed; a pull cut off
 * mid-page).
 *
 * A sync does what sync/client.c does, minus HTTP: book_own_changes,
 * wire_push_encode, wire_push_decode as the hub's handler would, its
 * clock check (a change more than 5 minutes ahead of the hub is refused,
 * and the laptop dates its unacknowledged fast entries again with
 * book_restamp, once, or the sync stops there), the store's push,
 * acked_seq (and on a gap, 409, from where the hub
 * stands; on a fork, book_fork and again); the store's pull of version
 * 2, wire_pull_decode and wire_page_verify, then book_apply
 * (BOOK_FROM_HUB) and the cursor and its epoch in one transaction; then
 * book_hub_holds on what the hub says it holds of the device, and
 * another round where that shows a fork or entries the hub lost.
 * Every replica is then synced twice round-robin, and for every seed
 * these must hold:
 *
 *   converge   every collector holds exactly the hub's records of its
 *              branch: ids, types, every field's value and stamp,
 *              deleted ones included;
 *   lost       every (record, field, value, stamp) an operation wrote
 *              (read back from the journal row it wrote) is the hub's
 *              current value, or is in the hub's or some collector's
 *              conflict log, or was knowingly overwritten: some entry
 *              of some journal names its stamp as its base, or lost to
 *              the same value written elsewhere (merge.h: not a
 *              conflict), which has a greater stamp.  A delete's seen
 *              vector (`_seen`) is nobody's value: it is left out;
 *   logged everywhere  the same, replica by replica: each holds or
 *              logs every value of its branch it did not see knowingly
 *              replaced (every replica has received every entry);
 *   invented   every value a replica holds or logs is one that was
 *              written, with that stamp;
 *   causality  every entry is stamped after its base;
 *   settled    an open conflict's winner is still current, or lost to
 *              a concurrent value (DECISIONS.md: a later edit that saw
 *              the winner settles the conflict);
 *   delete conflicts  on every replica, the open delete conflicts are
 *              exactly the values of deleted records that the winning
 *              delete's writer had not seen (what its replica held as it
 *              deleted, noted by the test), each against that delete:
 *              an edit a delete never saw, older or newer, is logged
 *              everywhere in every order of arrival, and settled
 *              everywhere by a restore, a resolve or a delete that saw it;
 *   chain      book_verify_chain passes on every replica and the hub;
 *   duplicate  no two journal rows of a device overlap, and a device's
 *              rows have no holes on the hub and in its own journal;
 *   agree      each collector's journal is the hub's for its branch:
 *              same rows and hashes, everything acknowledged, nothing
 *              quarantined, nothing of another branch.
 *
 * The seeds where the hub was restored from a backup are counted
 * apart, in one TAP line of their own.  Over 100 seeds or more, one
 * more line asks that an edit older than a delete that had not seen it
 * was met both ways round: the delete first at the hub, and the edit;
 * and another that entries saved while a clock ran fast were dated
 * again (the final syncs run with every clock right).
 * Half the deletes, like half the edits, hit one of a replica's first
 * three records, so that they meet.
 *
 * Only a seeded xorshift drives it: record and device ids come from it
 * too, so a seed replays exactly.  The first failing seed is shrunk to
 * fewer operations that still fail, and its trace printed.
 * Environment:
 *   PROP_SEEDS=N     seeds 1..N (default 1000; 200 under ASan)
 *   PROP_SEED=S      only seed S
 *   PROP_VERBOSE=1   one TAP line per seed
 *   PROP_TRACE=1     print every operation (with PROP_SEED)
 *   PROP_OPS=3,7,12  with PROP_SEED, run only these operations (what the
 *                    shrinker printed), then the final syncs and checks
 *   PROP_SHRINK=0    do not shrink the first failing seed
 *   PROP_KEEP=1      keep the databases of failing seeds
 *   PROP_DIR=DIR     where the databases go (default /dev/shm, else
 *                    $TMPDIR or /tmp)
 *   PROP_JOBS=N      worker processes (default: one per core, at most 8)
 *   PROP_HUB_RESTORE=0  do not restore the hub from backups (on by
 *                    default).  The operations stay in the plan, as
 *                    no-ops, so seeds keep their meaning either way.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "book.h"
#include "book_internal.h"
#include "book_view.h"
#include "client.h"
#include "hub_store.h"
#include "token.h"
#include "wire.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define SEEDS_DEFAULT   200     /* ASan is about 4 times slower */
#else
#define SEEDS_DEFAULT   1000
#endif
#define REPLICAS_MIN    3
#define B1_MAX          5       /* collectors of the branch under test */
#define REPLICAS_MAX    (B1_MAX + 1) /* and one of another branch */
#define OPS_MIN         20
#define OPS_MAX         60
#define OPENING_OPS     8
#define LIST_MAX        512
#define SHRINK_RUNS_MAX 600
#define FAILED_SHOWN    20
#define COVERAGE_SEEDS  100     /* seeds that must meet each rare case */
#define JOBS_MAX        8       /* worker processes, one per core */
#define BRANCH          "HN.B1"
#define OTHER_BRANCH    "HN.B2"
/* The fake world starts on 2026-06-01 00:00 UTC and only moves forward. */
#define WORLD_START_MS  UINT64_C(1780272000000)
#define MINUTE_MS       INT64_C(60000)
#define HOUR_MS         (60 * MINUTE_MS)

/* --- a seeded PRNG only --------------------------------------------- */

struct rng {
	uint64_t s;
};

static void rng_init(struct rng *r, uint64_t seed)
{
	uint64_t z = seed + UINT64_C(0x9E3779B97F4A7C15);

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	r->s = (z ^ (z >> 31)) | 1;
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

static uint32_t rng_u32(struct rng *r)
{
	return (uint32_t)(rng_next(r) >> 32);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return rng_u32(r) % n;
}

/* --- the plan of one seed -------------------------------------------- */

enum op_kind {
	OP_ADD_MEMBER, OP_ADD_TRAINING, OP_ADD_VISIT, OP_ATTEND, OP_UNATTEND,
	OP_EDIT, OP_DELETE, OP_RESTORE, OP_RESOLVE, OP_SYNC, OP_RESTART,
	OP_SECOND, OP_HUB_BACKUP, OP_HUB_RESTORE, OP_LAPTOP_BACKUP, OP_LAPTOP_RESTORE,
	OP_NKINDS
};

static const char *const op_names[OP_NKINDS] = {
	"add member", "add training", "add visit", "attend", "unattend",
	"edit", "delete", "restore", "resolve", "sync", "restart",
	"second process", "hub backup", "hub restored from backup", "laptop backup",
	"laptop restored from backup"
};

static const unsigned op_weights[OP_NKINDS] = {
	4, 2, 2, 6, 3, 40, 4, 3, 6, 20, 2, 3, 2, 2, 2, 2
};

enum clock_kind { CLK_TRUE, CLK_LAG, CLK_HOURS_BEHIND, CLK_JUMPER, CLK_DAY_BEHIND,
		  CLK_FAST };

static const char *const clock_names[] = {
	"on time", "a little slow", "3 hours slow", "jumps backwards", "a day slow",
	"a day fast at times"
};

/*
 * An operation is drawn whole before the run and interpreted against
 * the replica's state when it runs (which record: index modulo what the
 * replica holds), so that dropping operations while shrinking leaves
 * the others meaningful.
 */
struct op {
	enum op_kind kind;
	int rep;
	uint32_t dt_ms;         /* the world's clock moves this much first */
	uint32_t jump;          /* the jumping clock's choice */
	uint32_t r[8];
};

struct plan {
	uint64_t seed;
	int nrep;                       /* collectors, all branches */
	int nb1;                        /* the first nb1 are of BRANCH */
	enum clock_kind clock[REPLICAS_MAX];
	int64_t lag_ms[REPLICAS_MAX];
	char device[REPLICAS_MAX][FB_DEVICE_ID_LEN + 1];
	/* A laptop's batch size: the client's first size, or tiny
	 * batches so that a few edits span many of them. */
	size_t push_limit[REPLICAS_MAX];
	size_t nops;
	struct op ops[OPS_MAX];
};

static void make_plan(uint64_t seed, struct plan *p)
{
	static const uint32_t steps[] = { 0, 0, 1, 3, 40, 250, 1000, 5000, 60000 };
	static const enum op_kind opening[] = {
		OP_ADD_MEMBER, OP_ADD_MEMBER, OP_ADD_MEMBER, OP_ADD_TRAINING,
		OP_ADD_TRAINING, OP_ADD_VISIT, OP_SYNC, OP_SYNC, OP_SYNC, OP_EDIT
	};
	enum clock_kind kinds[] = { CLK_HOURS_BEHIND, CLK_JUMPER, CLK_FAST, CLK_TRUE, CLK_LAG,
				    CLK_DAY_BEHIND };
	unsigned total = 0;
	struct rng r;
	size_t i;
	int k, j;

	memset(p, 0, sizeof(*p));
	p->seed = seed;
	rng_init(&r, seed);
	p->nb1 = REPLICAS_MIN + (int)rng_below(&r, B1_MAX - REPLICAS_MIN + 1);
	/* Half the seeds have a laptop of another branch too: its entries
	 * must never reach the others, and pull cursors skip past them. */
	p->nrep = p->nb1 + (int)rng_below(&r, 2);
	/* The first three kinds always take part; the order is random. */
	for (k = 3; k < (int)(sizeof(kinds) / sizeof(kinds[0])); k++) {
		j = 3 + (int)rng_below(&r, (uint32_t)(k - 2));
		if (j != k) {
			enum clock_kind t = kinds[k];

			kinds[k] = kinds[j];
			kinds[j] = t;
		}
	}
	for (k = 0; k < p->nb1; k++) {
		j = (int)rng_below(&r, (uint32_t)(k + 1));
		p->clock[k] = p->clock[j];
		p->clock[j] = kinds[k];
	}
	for (; k < p->nrep; k++)
		p->clock[k] = CLK_LAG;
	for (k = 0; k < p->nrep; k++) {
		uint64_t d = rng_next(&r);

		p->lag_ms[k] = (int64_t)rng_below(&r, 1500) + 1;
		p->push_limit[k] = rng_below(&r, 2) ? SYNC_BATCH_FIRST
						    : 1 + rng_below(&r, 4);
		snprintf(p->device[k], sizeof(p->device[k]), "%016llx",
			 (unsigned long long)d);
	}
	for (k = 0; k < OP_NKINDS; k++)
		total += op_weights[k];
	p->nops = OPS_MIN + rng_below(&r, OPS_MAX - OPS_MIN + 1);
	for (i = 0; i < p->nops; i++) {
		struct op *o = &p->ops[i];
		unsigned x = rng_below(&r, total);

		for (k = 0; x >= op_weights[k]; k++)
			x -= op_weights[k];
		/* Something to edit first: the opening makes records. */
		if (i < OPENING_OPS)
			k = opening[rng_below(&r, sizeof(opening) / sizeof(opening[0]))];
		o->kind = (enum op_kind)k;
		o->rep = (int)rng_below(&r, (uint32_t)p->nrep);
		o->dt_ms = steps[rng_below(&r, sizeof(steps) / sizeof(steps[0]))];
		o->jump = rng_u32(&r);
		for (j = 0; j < 8; j++)
			o->r[j] = rng_u32(&r);
	}
}

/* --- values typed --------------------------------------------------- */

/* "Nguyễn Thị Hoa" typed decomposed (NFD): stored as NFC. */
#define NAME_NFD "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hoa"

static const char *const v_full_name[] = {
	"Nguyễn Thị Hoa", NAME_NFD, "Trần Thị Mai", "  Lê Thị Hồng Nhung  ",
	"Phạm Thị Lan", NULL };
static const char *const v_role[] = {
	"member", "branch_head", "branch_deputy", "", NULL };
static const char *const v_birth_year[] = { "1975", "1980", "1992", "", NULL };
static const char *const v_phone[] = { "0912345678", "0987654321", "", NULL };
static const char *const v_joined[] = { "2020-03-08", "2021-10-20", "", NULL };
static const char *const v_notes[] = {
	"Hộ nghèo", "Cần hỗ trợ\nthêm", "Đã thăm hỏi dịp Tết", "", NULL };
static const char *const v_title[] = {
	"Bình đẳng giới", "Nuôi dạy con tốt", "An toàn thực phẩm",
	"Chuyển đổi số", NULL };
static const char *const v_start[] = {
	"2026-03-01", "2026-03-02", "2026-04-10", NULL };
static const char *const v_end[] = { "", "2026-04-15", "2026-03-05", NULL };
static const char *const v_topics[] = {
	"gender_equality", "parenting, food_safety,parenting",
	"digital_transformation", "leadership,other", NULL };
static const char *const v_location[] = {
	"Nhà văn hoá thôn 3", "UBND xã Thanh Thủy", "", NULL };
static const char *const v_organizer[] = {
	"commune", "district", "branch", "", NULL };
static const char *const v_trainer[] = {
	"Bà Hoàng Thị Thu", "Ông Đỗ Văn Nam", "", NULL };
static const char *const v_visit_date[] = {
	"2026-01-28", "2026-02-10", "2026-02-14", NULL };
static const char *const v_reason[] = {
	"illness", "tet", "hardship", "bereavement", NULL };
static const char *const v_person[] = {
	"Bà Lò Thị Xuân", "Cụ Vũ Văn Ánh", "", NULL };
static const char *const v_support[] = {
	"cash", "gift", "health_check", "", NULL };
static const char *const v_amount[] = {
	"500000", "1000000", "0", "007", "", NULL };
static const char *const v_gift[] = { "Áo dài", "Gạo 10 kg", "", NULL };
static const char *const v_visitors[] = {
	"Chi hội trưởng", "Hội LHPN xã", "", NULL };

struct field_pool {
	enum rec_type type;
	const char *field;
	const char *const *values;      /* NULL: a member id */
};

static const struct field_pool pools[] = {
	{ REC_MEMBER, "full_name", v_full_name },
	{ REC_MEMBER, "role", v_role },
	{ REC_MEMBER, "birth_year", v_birth_year },
	{ REC_MEMBER, "phone", v_phone },
	{ REC_MEMBER, "joined", v_joined },
	{ REC_MEMBER, "notes", v_notes },
	{ REC_TRAINING, "title", v_title },
	{ REC_TRAINING, "start_date", v_start },
	{ REC_TRAINING, "end_date", v_end },
	{ REC_TRAINING, "topics", v_topics },
	{ REC_TRAINING, "location", v_location },
	{ REC_TRAINING, "organizer_level", v_organizer },
	{ REC_TRAINING, "trainer", v_trainer },
	{ REC_TRAINING, "notes", v_notes },
	{ REC_VISIT, "visit_date", v_visit_date },
	{ REC_VISIT, "reason", v_reason },
	{ REC_VISIT, "member_id", NULL },
	{ REC_VISIT, "person_name", v_person },
	{ REC_VISIT, "support", v_support },
	{ REC_VISIT, "amount_vnd", v_amount },
	{ REC_VISIT, "gift", v_gift },
	{ REC_VISIT, "visitors", v_visitors },
	{ REC_VISIT, "notes", v_notes },
};
#define NPOOLS (sizeof(pools) / sizeof(pools[0]))

static size_t count_of(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static const char *pick(const char *const *v, uint32_t r)
{
	return v[r % count_of(v)];
}

/* A version-4 UUID from four random words. */
static void make_uuid(const uint32_t *r, char out[FB_ID_LEN + 1])
{
	snprintf(out, FB_ID_LEN + 1, "%08x-%04x-4%03x-%04x-%04x%08x",
		 r[0], r[1] >> 16, r[1] & 0xFFF, 0x8000 | (r[2] >> 18),
		 r[2] & 0xFFFF, r[3]);
}

/* --- one run --------------------------------------------------------- */

enum prop {
	P_RUN, P_CONVERGE, P_LOST, P_LOGGED, P_INVENTED, P_CAUSAL, P_SETTLED,
	P_DELETE, P_CHAIN, P_DUP, P_AGREE, P_N
};

static const char *const prop_names[P_N] = {
	"run", "converge", "lost", "logged everywhere", "invented", "causality",
	"settled", "delete conflicts", "chain", "duplicate", "agree"
};

struct outcome {
	unsigned failed;                /* bit per enum prop */
	int restored;                   /* the hub was restored from a backup */
	int forks;                      /* laptops that went on under a new id */
	size_t redated;                 /* changes dated again (a fast clock) */
	int laptop_restores;
	char msg[P_N][1024];            /* the first failure of each */
	size_t ops_done, writes, current, logged, superseded, absorbed, conflicts,
	       syncs, replays, relayed, open_disagree;
	/* Edits older than a delete that had not seen them, logged on the
	 * hub: the delete reached it first, or the edit did. */
	size_t older_delete_first, older_edit_first;
	char open_msg[512];
};

/* A value an operation wrote, as its journal row says. */
struct write {
	char rec[FB_RECORD_ID_MAX + 1];
	char field[32];
	char *value;
	struct fb_stamp stamp, base;
	int op, rep;
	int gone;       /* only on a laptop's disk that was lost (restored
			   from an older copy before it was sent) */
	int internal;           /* `_seen`: no value of anyone's */
	/* A delete (deleted = 1): the stamps its replica held of the
	 * record's fields as it deleted, by field index (zero: none). */
	struct fb_stamp *held;
};

struct replica {
	char path[512];
	char backup[600];       /* a copy of its database, once taken */
	size_t restored_nw;     /* writes noted before its last restore */
	struct book *b;
	unsigned char th[TOKEN_HASH_LEN];
	int64_t offset_ms;
};

struct idlist {
	size_t n;
	char id[LIST_MAX][FB_RECORD_ID_MAX + 1];
	enum rec_type type[LIST_MAX];
};

struct world {
	const struct plan *p;
	const unsigned char *mask;      /* ops to run (shrinking), or NULL */
	struct outcome *out;
	int trace;
	char hub_path[512];
	char backup_path[600];          /* the hub's backup, once taken */
	struct hub_store *hub;
	struct replica rep[REPLICAS_MAX];
	uint64_t now_ms;
	struct write *w;
	size_t nw, cw;
	struct idlist la, lb;
	int cur_op;
};

static const char *g_dir;
static int g_hub_restore = 1;   /* PROP_HUB_RESTORE=0: no hub backups and restores */
/* client.c allocates its batch per sync; once is enough here. */
static struct jchange *g_batch;
static struct world *g_world;   /* for the wall clocks below */
/* Traces go to stdout, a failing seed's to stderr (prove shows it). */
static FILE *g_out;

static void fail(struct world *w, enum prop p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct world *w, enum prop p, const char *fmt, ...)
{
	va_list ap;

	if (w->out->failed & (1u << p))
		return;
	w->out->failed |= 1u << p;
	va_start(ap, fmt);
	vsnprintf(w->out->msg[p], sizeof(w->out->msg[p]), fmt, ap);
	va_end(ap);
	if (w->trace)
		fprintf(g_out, "#   FAILED (%s): %s\n", prop_names[p], w->out->msg[p]);
}

static void trace(struct world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trace(struct world *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->trace)
		return;
	fputs("#   ", g_out);
	va_start(ap, fmt);
	vfprintf(g_out, fmt, ap);
	va_end(ap);
	fputc('\n', g_out);
}

/* A value as one line for messages. */
static const char *shown(const char *s, char *buf, size_t n)
{
	size_t o = 0;

	for (; *s && o + 3 < n; s++) {
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

static uint64_t wall_of(int i)
{
	return (uint64_t)((int64_t)g_world->now_ms + g_world->rep[i].offset_ms);
}

static uint64_t wall0(void) { return wall_of(0); }
static uint64_t wall1(void) { return wall_of(1); }
static uint64_t wall2(void) { return wall_of(2); }
static uint64_t wall3(void) { return wall_of(3); }
static uint64_t wall4(void) { return wall_of(4); }
static uint64_t wall5(void) { return wall_of(5); }

static uint64_t (*const walls[REPLICAS_MAX])(void) = {
	wall0, wall1, wall2, wall3, wall4, wall5
};

static const char *branch_of(const struct plan *p, int i)
{
	return i < p->nb1 ? BRANCH : OTHER_BRANCH;
}

/*
 * The laptops' clocks against the hub's, whose time is the world's:
 * every one at or before it, but the one that runs a day fast for a
 * third of the operations (jump 0, the final syncs', sets it right).
 */
static void set_clocks(struct world *w, uint32_t jump)
{
	static const int64_t back[] = { 0, 0, 2000, 10 * MINUTE_MS, HOUR_MS,
					24 * HOUR_MS };
	int i;

	for (i = 0; i < w->p->nrep; i++) {
		switch (w->p->clock[i]) {
		case CLK_TRUE:         w->rep[i].offset_ms = 0; break;
		case CLK_LAG:          w->rep[i].offset_ms = -w->p->lag_ms[i]; break;
		case CLK_HOURS_BEHIND: w->rep[i].offset_ms = -3 * HOUR_MS; break;
		case CLK_DAY_BEHIND:   w->rep[i].offset_ms = -26 * HOUR_MS; break;
		case CLK_FAST:
			w->rep[i].offset_ms = jump % 3 == 1 ? 26 * HOUR_MS : 0;
			break;
		case CLK_JUMPER:
			w->rep[i].offset_ms = -back[jump % (sizeof(back) / sizeof(back[0]))];
			break;
		}
	}
}

static fb_hlc hub_time(const struct world *w)
{
	return HLC_MAKE(w->now_ms, 0);
}

/* --- setting up ------------------------------------------------------ */

static int exec_sql(struct world *w, struct fb_store *st, const char *sql,
		    const char *a1, const char *a2, const char *a3,
		    const void *blob, int nblob)
{
	sqlite3_stmt *q = NULL;
	struct fb_error err;
	int r;

	if (store_prepare(st, sql, &q, &err) != FB_OK) {
		fail(w, P_RUN, "setup: %s", err.msg);
		return -1;
	}
	if (a1)
		sqlite3_bind_text(q, 1, a1, -1, SQLITE_STATIC);
	if (a2)
		sqlite3_bind_text(q, 2, a2, -1, SQLITE_STATIC);
	if (a3)
		sqlite3_bind_text(q, 3, a3, -1, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(q, 4, blob, nblob, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE) {
		fail(w, P_RUN, "setup: %s: %s", sql, sqlite3_errstr(r));
		return -1;
	}
	return 0;
}

static void remove_db(const char *path)
{
	char p[700];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* What `fieldbook-hub init`, `unit add` and `enroll` do. */
static int setup_hub(struct world *w)
{
	struct fb_store *st = NULL;
	struct fb_error err;
	int i, rc = -1;

	snprintf(w->hub_path, sizeof(w->hub_path), "%s/s%llu-hub.db", g_dir,
		 (unsigned long long)w->p->seed);
	remove_db(w->hub_path);
	if (store_open(w->hub_path, STORE_CREATE, hub_schema, &st, &err) != FB_OK) {
		fail(w, P_RUN, "setup: hub: %s", err.msg);
		return -1;
	}
	if (store_begin(st, &err) != FB_OK)
		goto out;
	if (exec_sql(w, st, "INSERT INTO unit(code, parent, level, name)"
		     " VALUES(?1, NULL, 'province', ?2)", "HN", "Hà Nội", NULL, NULL, 0) ||
	    exec_sql(w, st, "INSERT INTO unit(code, parent, level, name)"
		     " VALUES(?1, ?2, 'branch', ?3)", BRANCH, "HN", "Chi hội 1", NULL, 0) ||
	    exec_sql(w, st, "INSERT INTO unit(code, parent, level, name)"
		     " VALUES(?1, ?2, 'branch', ?3)", OTHER_BRANCH, "HN", "Chi hội 2", NULL,
		     0) ||
	    store_meta_set(st, "hub_unit", "HN", &err) != FB_OK)
		goto out;
	for (i = 0; i < w->p->nrep; i++) {
		char token[TOKEN_TEXT_LEN + 1], name[64];

		snprintf(name, sizeof(name), "laptop %d", i);
		if (token_new(token) != FB_OK || token_hash(token, w->rep[i].th) != FB_OK) {
			fail(w, P_RUN, "setup: no token");
			goto out;
		}
		if (exec_sql(w, st, "INSERT INTO device(name, unit, token_hash, created)"
			     " VALUES(?1, ?2, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
			     name, branch_of(w->p, i), NULL, w->rep[i].th, TOKEN_HASH_LEN))
			goto out;
	}
	if (store_commit(st, &err) != FB_OK)
		goto out;
	store_close(st);
	st = NULL;
	if (hub_store_sqlite_open(w->hub_path, 1, &w->hub, &err) != FB_OK) {
		fail(w, P_RUN, "setup: hub store: %s", err.msg);
		return -1;
	}
	rc = 0;
out:
	if (rc && !(w->out->failed & 1u << P_RUN))
		fail(w, P_RUN, "setup: hub: %s", err.msg);
	store_close(st);
	return rc;
}

static int open_replica(struct world *w, int i)
{
	struct fb_error err;

	if (book_open(w->rep[i].path, NULL, &w->rep[i].b, &err) != FB_OK) {
		fail(w, P_RUN, "opening replica %d: %s", i, err.msg);
		return -1;
	}
	w->rep[i].b->wall_ms = walls[i];
	return 0;
}

/* `fieldbook init`, then the device id made deterministic. */
static int setup_replica(struct world *w, int i)
{
	struct fb_store *st = NULL;
	struct fb_error err;
	enum fb_code rc;

	snprintf(w->rep[i].path, sizeof(w->rep[i].path), "%s/s%llu-c%d.db", g_dir,
		 (unsigned long long)w->p->seed, i);
	remove_db(w->rep[i].path);
	if ((rc = book_create(w->rep[i].path, branch_of(w->p, i), "Chi hội",
			      &err)) == FB_OK &&
	    (rc = store_open(w->rep[i].path, 0, NULL, &st, &err)) == FB_OK)
		rc = store_meta_set(st, "device", w->p->device[i], &err);
	store_close(st);
	if (rc != FB_OK) {
		fail(w, P_RUN, "setup: replica %d: %s", i, err.msg);
		return -1;
	}
	return open_replica(w, i);
}

/* --- what the replicas hold ------------------------------------------ */

/* Records of a type (NULL: any; attendance only if asked) and state. */
static void list_records(struct world *w, struct book *b, const char *type,
			 int deleted, int with_attendance, struct idlist *l)
{
	sqlite3_stmt *q = NULL;
	struct fb_error err;
	int s;

	l->n = 0;
	if (store_prepare(b->st, "SELECT id, type FROM record WHERE"
			  " (?1 IS NULL OR type = ?1) AND (?2 < 0 OR deleted = ?2)"
			  " AND (?3 OR type <> 'attendance') ORDER BY id", &q, &err)) {
		fail(w, P_RUN, "listing records: %s", err.msg);
		return;
	}
	if (type)
		sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, deleted);
	sqlite3_bind_int(q, 3, with_attendance || (type && !strcmp(type, "attendance")));
	while ((s = sqlite3_step(q)) == SQLITE_ROW && l->n < LIST_MAX) {
		snprintf(l->id[l->n], sizeof(l->id[0]), "%s", sqlite3_column_text(q, 0));
		l->type[l->n] = model_type_named((const char *)sqlite3_column_text(q, 1))->type;
		l->n++;
	}
	sqlite3_finalize(q);
}

/*
 * What the replica held of x's record as it deleted it: the delete
 * changed only `deleted` and `_seen`, so the record as it is now.
 */
static int note_held(struct world *w, struct book *b, struct write *x)
{
	struct record *r = NULL;
	struct fb_error err;
	int k;

	x->held = calloc(RECORD_FIELDS_MAX, sizeof(*x->held));
	if (!x->held)
		return -1;
	if (book_get(b, x->rec, &r, &err) != FB_OK) {
		fail(w, P_RUN, "reading the deleted %s: %s", x->rec, err.msg);
		return 0;
	}
	for (k = 0; k < RECORD_FIELDS_MAX; k++)
		if (r->val[k])
			x->held[k] = r->stamp[k];
	record_free(r);
	return 0;
}

/* The entries of this device's journal from sequence `from` on. */
static void note_writes(struct world *w, int i, uint64_t from)
{
	struct book *b = w->rep[i].b;
	sqlite3_stmt *q = NULL;
	struct fb_error err;
	size_t k;
	int s;

	if (store_prepare(b->st, "SELECT seq, hlc, record_id, type, body FROM journal"
			  " WHERE device = ?1 AND seq >= ?2 ORDER BY seq", &q, &err)) {
		fail(w, P_RUN, "reading journal: %s", err.msg);
		return;
	}
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)from);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		struct jchange c;

		jchange_init(&c);
		if (journal_body_parse((const char *)sqlite3_column_text(q, 4), &c, &err)) {
			fail(w, P_RUN, "journal body: %s", err.msg);
			jchange_release(&c);
			break;
		}
		for (k = 0; k < c.n; k++) {
			struct write *x;
			char buf[256];

			if (w->nw == w->cw) {
				size_t ncw = w->cw ? 2 * w->cw : 256;
				struct write *nwp = realloc(w->w, ncw * sizeof(*nwp));

				if (!nwp) {
					fail(w, P_RUN, "out of memory");
					break;
				}
				w->w = nwp;
				w->cw = ncw;
			}
			x = &w->w[w->nw];
			memset(x, 0, sizeof(*x));
			snprintf(x->rec, sizeof(x->rec), "%s", sqlite3_column_text(q, 2));
			snprintf(x->field, sizeof(x->field), "%s", c.e[k].field);
			x->value = strdup(c.e[k].value);
			x->stamp.hlc = (fb_hlc)sqlite3_column_int64(q, 1);
			snprintf(x->stamp.device, sizeof(x->stamp.device), "%s", b->device);
			x->base = c.e[k].base;
			x->op = w->cur_op;
			x->rep = i;
			x->internal = model_field(model_type_named((const char *)
							sqlite3_column_text(q, 3)),
						  x->field)->internal;
			if (!x->value || (!strcmp(x->field, FIELD_DELETED) &&
					  !strcmp(x->value, "1") && note_held(w, b, x))) {
				free(x->value);
				fail(w, P_RUN, "out of memory");
				break;
			}
			w->nw++;
			/* The clock moved past what this device held. */
			if (x->base.hlc && stamp_cmp(&x->stamp, &x->base) <= 0)
				fail(w, P_CAUSAL, "op %d (replica %d) wrote %s.%s at %016llx:%s,"
				     " not after its base %016llx:%s", x->op, i, x->rec, x->field,
				     (unsigned long long)x->stamp.hlc, x->stamp.device,
				     (unsigned long long)x->base.hlc, x->base.device);
			trace(w, "      wrote %s.%s = '%s' at %016llx:%s", x->rec, x->field,
			      shown(x->value, buf, sizeof(buf)),
			      (unsigned long long)x->stamp.hlc, x->stamp.device);
		}
		jchange_release(&c);
	}
	sqlite3_finalize(q);
}

/*
 * The next sequence of the replica's own device, as its journal on disk
 * says (another handle may have written since this one cached it).
 */
static uint64_t own_next(struct world *w, int i)
{
	unsigned char head[JOURNAL_HASH_LEN];
	uint64_t last = 0;
	struct fb_error err;

	if (book_device_head(w->rep[i].b, w->rep[i].b->device, &last, head, &err))
		fail(w, P_RUN, "replica %d: %s", i, err.msg);
	return last + 1;
}

/* A local operation's result: refusals a user can meet are fine. */
static void local_done(struct world *w, int i, uint64_t before, enum fb_code rc,
		       const struct fb_error *err)
{
	if (rc == FB_OK) {
		note_writes(w, i, before);
		return;
	}
	trace(w, "      refused: %s", err->msg);
	if (rc != FB_EINVAL && rc != FB_ENOENT)
		fail(w, P_RUN, "op %d on replica %d: unexpected %s: %s", w->cur_op, i,
		     fb_strerror(rc), err->msg);
	else if (own_next(w, i) != before)
		fail(w, P_RUN, "op %d on replica %d: refused (%s) but wrote entries",
		     w->cur_op, i, err->msg);
}

/* --- sync, as sync/client.c does it ----------------------------------- */

static int redate_replica(struct world *w, int i, size_t *moved);

/*
 * Push as client.c does.  *fork: the hub holds other content from this
 * sequence on (the laptop was restored from a copy), 0 when none.  1:
 * the hub refused entries stamped ahead of its clock that could not be
 * dated again (the laptop's clock is still fast): the sync stops.
 */
static int push(struct world *w, int i, size_t limit, int lose_ack, uint64_t *fork)
{
	struct book *b = w->rep[i].b;
	struct jchange *batch = g_batch;
	struct fb_buf json = FB_BUF_INIT(WIRE_BODY_MAX);
	struct hub_push_result res;
	struct hub_device dev;
	struct wire_batch wb;
	struct fb_error err;
	long long acked = 0;
	size_t n = 0, k, rounds, gaps = 0;
	char parent[FB_DEVICE_ID_MAX + 1];
	enum fb_code rc;
	int ret = -1, redated = 0;

	memset(&wb, 0, sizeof(wb));
	*fork = 0;
	if (book_forked_from(b, parent, &err) != FB_OK) {
		fail(w, P_RUN, "push of replica %d: %s", i, err.msg);
		return -1;
	}
	if (limit > SYNC_BATCH_MAX) {
		fail(w, P_RUN, "batch of %zu changes is over the client's", limit);
		return -1;
	}
	for (rounds = 0; rounds < SYNC_ROUNDS_MAX; rounds++) {
		uint64_t last;

		for (k = 0; k < n; k++)
			jchange_release(&batch[k]);
		n = 0;
		if (store_meta_int(b->st, "acked_seq", 0, &acked, &err) != FB_OK ||
		    book_own_changes(b, (uint64_t)acked, batch, limit, SYNC_PUSH_BYTES,
				     &n, &err) != FB_OK) {
			fail(w, P_RUN, "push of replica %d: %s", i, err.msg);
			goto out;
		}
		if (n == 0)
			break;
		buf_reset(&json);
		if (wire_push_encode(batch, n, parent, &json) != FB_OK) {
			fail(w, P_RUN, "push of replica %d: encoding failed", i);
			goto out;
		}
		/* What the hub's handler does with the body. */
		if (wire_push_decode(buf_str(&json), json.len, &wb, &err) != FB_OK) {
			fail(w, P_RUN, "push of replica %d: the hub cannot decode %s: %s",
			     i, buf_str(&json), err.msg);
			goto out;
		}
		if (wb.n != n || wb.seq != batch[0].seq || strcmp(wb.device, b->device) ||
		    memcmp(wb.last_hash, batch[n - 1].hash, JOURNAL_HASH_LEN)) {
			fail(w, P_RUN, "push of replica %d: the wire lost the batch's shape", i);
			goto out;
		}
		for (k = 0; k < n; k++) {
			size_t e;
			int same = wb.changes[k].seq == batch[k].seq &&
				   wb.changes[k].hlc == batch[k].hlc &&
				   wb.changes[k].n == batch[k].n &&
				   wb.changes[k].type == batch[k].type &&
				   !strcmp(wb.changes[k].record_id, batch[k].record_id) &&
				   !strcmp(wb.changes[k].branch, batch[k].branch);

			for (e = 0; same && e < batch[k].n; e++)
				same = !strcmp(wb.changes[k].e[e].field, batch[k].e[e].field) &&
				       !strcmp(wb.changes[k].e[e].value, batch[k].e[e].value) &&
				       stamp_eq(&wb.changes[k].e[e].base, &batch[k].e[e].base);
			if (!same) {
				fail(w, P_RUN, "push of replica %d: change %llu differs after the"
				     " wire", i, (unsigned long long)batch[k].seq);
				goto out;
			}
		}
		/* The hub's handler refuses a change stamped more than 5
		 * minutes ahead of its clock (clock_ahead): the laptop dates its
		 * fast entries again, once, and sends again; else it stops. */
		for (k = 0; k < wb.n && wb.changes[k].hlc <= HLC_MAKE(w->now_ms +
								     FB_HLC_MAX_DRIFT_MS, 0); k++)
			;
		if (k < wb.n) {
			size_t moved = 0;

			trace(w, "      clock_ahead: entry %llu is %lld minutes ahead of the hub",
			      (unsigned long long)wb.changes[k].seq,
			      (long long)((int64_t)HLC_MS(wb.changes[k].hlc) -
					  (int64_t)w->now_ms) / MINUTE_MS);
			wire_batch_release(&wb);
			if (redated || redate_replica(w, i, &moved))
				goto refused;
			redated = 1;
			if (!moved)
				goto refused;
			continue;
		}
		if (w->hub->ops->auth(w->hub, w->rep[i].th, &dev, &err) != FB_OK) {
			fail(w, P_RUN, "push of replica %d: auth: %s", i, err.msg);
			goto out;
		}
		fb_error_clear(&err);
		rc = w->hub->ops->push(w->hub, &dev, &wb, &res, &err);
		if (rc == FB_ECORRUPT && res.fork) {
			/* 409 fork: this book was restored from a copy. */
			trace(w, "      fork: the hub holds other content from entry %llu",
			      (unsigned long long)res.fork);
			*fork = res.fork;
			break;
		}
		if (rc == FB_ECONFLICT) {
			/* 409: the hub lacks entries we thought it had (restored
			 * from a backup): send again from where it stands. */
			trace(w, "      gap: the hub expects %llu", (unsigned long long)res.expected);
			wire_batch_release(&wb);
			if (res.expected < 1 || res.expected > (uint64_t)acked + 1 || ++gaps > 3) {
				fail(w, P_RUN, "push of replica %d: the hub expects entry %llu,"
				     " acked is %lld", i, (unsigned long long)res.expected, acked);
				goto out;
			}
			b->clock = hlc_observe(b->clock, hub_time(w));
			if (book_begin(b, &err) != FB_OK ||
			    store_meta_set_int(b->st, "acked_seq", (long long)res.expected - 1,
					       &err) != FB_OK ||
			    store_meta_set_int(b->st, SYNC_RELAY_DUE, 1, &err) != FB_OK ||
			    book_commit(b, &err) != FB_OK) {
				fail(w, P_RUN, "push of replica %d: saving the ack: %s", i, err.msg);
				goto out;
			}
			continue;
		}
		if (rc != FB_OK) {
			fail(w, P_RUN, "push of replica %d (seq %llu..): %s", i,
			     (unsigned long long)wb.seq, err.msg);
			goto out;
		}
		wire_batch_release(&wb);
		last = batch[n - 1].seq + batch[n - 1].n - 1;
		w->out->replays += res.replayed;
		trace(w, "      pushed %zu changes from seq %llu: ack %llu, %zu applied,"
		      " %zu replayed, %zu rejected", n, (unsigned long long)batch[0].seq,
		      (unsigned long long)res.ack, res.applied, res.replayed, res.rejected);
		if (res.rejected) {
			fail(w, P_RUN, "push of replica %d: the hub rejected seq %llu: %s", i,
			     (unsigned long long)res.rejects[0].seq, res.rejects[0].reason);
			goto out;
		}
		/* More than the book wrote: it is a restored copy. */
		if (res.ack > own_next(w, i) - 1) {
			trace(w, "      the hub holds %llu of this device, more than this book",
			      (unsigned long long)res.ack);
			*fork = own_next(w, i);
			break;
		}
		if (res.ack < last) {
			fail(w, P_RUN, "push of replica %d: the hub acknowledged %llu, sent"
			     " %llu..%llu", i, (unsigned long long)res.ack,
			     (unsigned long long)batch[0].seq, (unsigned long long)last);
			goto out;
		}
		/* Past the batch: ours only where the chain there is ours;
		 * else the next batch meets the hub's replay check. */
		if (res.ack > last) {
			unsigned char mine[JOURNAL_HASH_LEN];
			int found = 0;

			if (book_chain_at(b, b->device, res.ack, mine, &found, &err) != FB_OK ||
			    !found || memcmp(mine, res.ack_hash, sizeof(mine))) {
				trace(w, "      the hub's head %llu is not this book's: taking"
				      " %llu", (unsigned long long)res.ack,
				      (unsigned long long)last);
				res.ack = last;
			}
		}
		if (lose_ack) {
			/* The connection dropped after the hub committed. */
			trace(w, "      (the answer is lost)");
			ret = 0;
			goto out;
		}
		b->clock = hlc_observe(b->clock, hub_time(w));
		if (book_begin(b, &err) != FB_OK ||
		    store_meta_set_int(b->st, "acked_seq", (long long)res.ack, &err) != FB_OK ||
		    book_commit(b, &err) != FB_OK) {
			fail(w, P_RUN, "push of replica %d: saving the ack: %s", i, err.msg);
			goto out;
		}
	}
	ret = 0;
	goto out;
refused:
	/* The sync fails there, as client.c's (65), unless a fault above. */
	ret = w->out->failed & (1u << P_RUN) ? -1 : 1;
out:
	wire_batch_release(&wb);
	for (k = 0; k < n; k++)
		jchange_release(&batch[k]);
	buf_release(&json);
	return ret;
}

/* wire_held_fn over a replica's book. */
static int held_by(void *ctx, const char *device, uint64_t seq,
		   unsigned char hash[JOURNAL_HASH_LEN])
{
	int found = 0;

	return book_chain_at(ctx, device, seq, hash, &found, NULL) == FB_OK && found;
}

/* Pull as client.c does: *held and held_hash, what the hub holds of this
 * device's chain (held_known 0 when no page arrived). */
static int pull(struct world *w, int i, size_t limit, int cut, int *held_known,
		uint64_t *held, unsigned char held_hash[JOURNAL_HASH_LEN])
{
	struct book *b = w->rep[i].b;
	struct fb_buf out = FB_BUF_INIT(WIRE_BODY_MAX);
	struct hub_device dev;
	struct fb_error err;
	long long cursor = 0;
	char *epoch = NULL;
	size_t rounds, k;
	int ret = -1;

	*held_known = 0;
	for (rounds = 0; rounds < SYNC_ROUNDS_MAX; rounds++) {
		struct wire_page page;
		struct hub_pull req;
		enum fb_code rc = FB_OK;

		free(epoch);
		epoch = NULL;
		if (store_meta_int(b->st, "pull_cursor", 0, &cursor, &err) != FB_OK ||
		    store_meta_get(b->st, "pull_epoch", &epoch, &err) != FB_OK ||
		    w->hub->ops->auth(w->hub, w->rep[i].th, &dev, &err) != FB_OK) {
			fail(w, P_RUN, "pull of replica %d: %s", i, err.msg);
			goto out;
		}
		req = (struct hub_pull){ WIRE_VERSION, (uint64_t)cursor, epoch ? epoch : "",
					 limit, b->device };
		buf_reset(&out);
		if (w->hub->ops->pull(w->hub, &dev, &req, hub_time(w), &out, &err) != FB_OK) {
			fail(w, P_RUN, "pull of replica %d after %lld: %s", i, cursor, err.msg);
			goto out;
		}
		if (wire_pull_decode(buf_str(&out), out.len, &page, &err) != FB_OK) {
			fail(w, P_RUN, "pull of replica %d: cannot decode the page: %s", i,
			     err.msg);
			goto out;
		}
		if (wire_page_verify(&page, held_by, b, &err) != FB_OK) {
			fail(w, P_CHAIN, "pull of replica %d: the page fails its chains: %s", i,
			     err.msg);
			wire_page_release(&page);
			goto out;
		}
		trace(w, "      pulled %zu changes after %lld, next %llu%s; the hub holds"
		      " %llu of %s", page.n, cursor, (unsigned long long)page.next,
		      page.more ? ", more" : "", (unsigned long long)page.held, b->device);
		*held_known = 1;
		*held = page.held;
		memcpy(held_hash, page.held_hash, JOURNAL_HASH_LEN);
		b->clock = hlc_observe(b->clock, page.hub_time);
		if (book_begin(b, &err) != FB_OK) {
			wire_page_release(&page);
			fail(w, P_RUN, "pull of replica %d: %s", i, err.msg);
			goto out;
		}
		for (k = 0; k < page.n; k++) {
			if (cut && k == page.n / 2)
				break;
			rc = book_apply(b, &page.changes[k], BOOK_FROM_HUB, NULL, &err);
			if (rc != FB_OK)
				break;
		}
		if (rc == FB_OK && cut) {
			/* Cut off before the commit: nothing of it stays. */
			book_rollback(b);
			wire_page_release(&page);
			trace(w, "      (cut off mid-page)");
			*held_known = 0;
			ret = 0;
			goto out;
		}
		if (rc == FB_OK && page.cut)
			rc = store_meta_set_int(b->st, SYNC_RELAY_DUE, 1, &err);
		if (rc == FB_OK)
			rc = store_meta_set_int(b->st, "pull_cursor", (long long)page.next, &err);
		if (rc == FB_OK)
			rc = store_meta_set(b->st, "pull_epoch", page.epoch, &err);
		if (rc == FB_OK)
			rc = book_commit(b, &err);
		else
			book_rollback(b);
		if (rc != FB_OK) {
			fail(w, P_RUN, "pull of replica %d: applying change %zu of %zu"
			     " (device %s seq %llu): %s", i, k, page.n,
			     k < page.n ? page.changes[k].device : "-",
			     k < page.n ? (unsigned long long)page.changes[k].seq : 0ULL,
			     err.msg);
			wire_page_release(&page);
			goto out;
		}
		/* The cursor goes back only where the hub's history did. */
		if (page.next < (uint64_t)cursor && !w->out->restored) {
			fail(w, P_RUN, "pull of replica %d: the cursor went back from %lld"
			     " to %llu", i, cursor, (unsigned long long)page.next);
			wire_page_release(&page);
			goto out;
		}
		wire_page_release(&page);
		if (!page.more)
			break;
	}
	ret = 0;
out:
	free(epoch);
	buf_release(&out);
	return ret;
}

/* A stamp of device `from` at hlc takes the device `to`. */
static void rename_stamp_to(struct fb_stamp *s, const char *from, fb_hlc hlc,
			    const char *to, fb_hlc new_hlc)
{
	if (s->hlc == hlc && !strcmp(s->device, from)) {
		snprintf(s->device, sizeof(s->device), "%s", to);
		s->hlc = new_hlc;
	}
}

static void rename_stamp(struct fb_stamp *s, const char *from, fb_hlc hlc,
			 const char *to)
{
	rename_stamp_to(s, from, hlc, to, hlc);
}

/*
 * A seen vector's "@<hlc>:<from>" items, for hlc, become
 * "@<new_hlc>:<to>" (by the text, as docs/DATA-MODEL.md writes the
 * vector).  0, or -1 without memory.
 */
static int rename_seen_text_to(char **value, const char *from, fb_hlc hlc,
			       const char *to, fb_hlc new_hlc)
{
	char old[96], fresh[96], *p = *value, *at, *again;
	size_t ko, kf;

	snprintf(old, sizeof(old), "@%016llx:%s", (unsigned long long)hlc, from);
	snprintf(fresh, sizeof(fresh), "@%016llx:%s", (unsigned long long)new_hlc, to);
	ko = strlen(old);
	kf = strlen(fresh);
	while ((at = strstr(p, old))) {
		size_t head = (size_t)(at - *value), tail = strlen(at + ko);

		if (at[ko] && at[ko] != ',') {
			p = at + 1;     /* a longer id that begins alike */
			continue;
		}
		if (!(again = malloc(head + kf + tail + 1)))
			return -1;
		memcpy(again, *value, head);
		memcpy(again + head, fresh, kf);
		memcpy(again + head + kf, at + ko, tail + 1);
		free(*value);
		*value = again;
		p = again + head + kf;
	}
	return 0;
}

static int rename_seen_text(char **value, const char *from, fb_hlc hlc,
			    const char *to)
{
	return rename_seen_text_to(value, from, hlc, to, hlc);
}

/* The HLCs of the replica's own rows after `acked`, by sequence. */
struct own_hlcs {
	size_t n;
	uint64_t seq[LIST_MAX * 4];
	fb_hlc hlc[LIST_MAX * 4];
};

static int read_own_hlcs(struct world *w, int i, long long acked, struct own_hlcs *o)
{
	struct book *b = w->rep[i].b;
	sqlite3_stmt *q = NULL;
	struct fb_error err;

	o->n = 0;
	if (store_prepare(b->st, "SELECT seq, hlc FROM journal WHERE device = ?1"
			  " AND seq > ?2 ORDER BY seq", &q, &err) != FB_OK) {
		fail(w, P_RUN, "replica %d: %s", i, err.msg);
		return -1;
	}
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, acked);
	while (o->n < sizeof(o->seq) / sizeof(o->seq[0]) && sqlite3_step(q) == SQLITE_ROW) {
		o->seq[o->n] = (uint64_t)sqlite3_column_int64(q, 0);
		o->hlc[o->n++] = (fb_hlc)sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return 0;
}

/*
 * The hub refused replica i's push as ahead of its clock: as client.c
 * does, date its unacknowledged fast entries again under max(its clock,
 * the hub's) + 5 minutes (book_restamp), and rename the writes this
 * test expects the same way.  *moved: changes dated again (0: none
 * could be, the clock is still fast).
 */
static int redate_replica(struct world *w, int i, size_t *moved)
{
	static struct own_hlcs before, after;
	struct book *b = w->rep[i].b;
	uint64_t laptop = walls[i](), hub = w->now_ms;
	fb_hlc bound = HLC_MAKE((laptop > hub ? laptop : hub) + FB_HLC_MAX_DRIFT_MS, 0);
	struct fb_error err;
	long long acked = 0;
	size_t k, m, f;

	*moved = 0;
	if (store_meta_int(b->st, "acked_seq", 0, &acked, &err) != FB_OK ||
	    read_own_hlcs(w, i, acked, &before))
		return fail(w, P_RUN, "replica %d: %s", i, err.msg), -1;
	if (book_restamp(b, bound, moved, &err) != FB_OK) {
		fail(w, P_RUN, "dating again on replica %d: %s", i, err.msg);
		return -1;
	}
	if (!*moved)
		return 0;
	if (read_own_hlcs(w, i, acked, &after))
		return -1;
	if (after.n != before.n) {
		fail(w, P_RUN, "dating again on replica %d: %zu rows became %zu", i,
		     before.n, after.n);
		return -1;
	}
	trace(w, "      %zu changes dated again (the clock ran fast)", *moved);
	w->out->redated += *moved;
	/* Rows keep their numbers: by sequence, old HLC to new. */
	for (m = 0; m < before.n; m++) {
		if (before.seq[m] != after.seq[m]) {
			fail(w, P_RUN, "dating again on replica %d renumbered a row", i);
			return -1;
		}
		if (before.hlc[m] == after.hlc[m])
			continue;
		/* Every write of the book, before a restore from a copy too
		 * (the copy holds it); not those lost with the disk. */
		for (k = 0; k < w->nw; k++) {
			struct write *x = &w->w[k];

			if (x->rep != i || x->gone)
				continue;
			rename_stamp_to(&x->stamp, b->device, before.hlc[m], b->device,
					after.hlc[m]);
			rename_stamp_to(&x->base, b->device, before.hlc[m], b->device,
					after.hlc[m]);
			for (f = 0; x->held && f < RECORD_FIELDS_MAX; f++)
				rename_stamp_to(&x->held[f], b->device, before.hlc[m],
						b->device, after.hlc[m]);
			if (x->internal &&
			    rename_seen_text_to(&x->value, b->device, before.hlc[m],
						b->device, after.hlc[m])) {
				fail(w, P_RUN, "dating again on replica %d: no memory", i);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Replica i goes on under a new device id from entry `at` (book_fork),
 * and the writes it made since its restore that moved take the new id
 * in what this test expects, as they do in the book.
 */
static int fork_replica(struct world *w, int i, uint64_t at)
{
	struct book *b = w->rep[i].b;
	char old[FB_DEVICE_ID_MAX + 1];
	fb_hlc *moved_hlc = NULL;
	sqlite3_stmt *q = NULL;
	size_t nmoved = 0, cap = 0, moved = 0, k, m, f;
	struct fb_error err;

	/* A row that holds `at` inside it moves whole. */
	if (store_prepare(b->st, "SELECT hlc FROM journal WHERE device = ?1"
			  " AND seq + n - 1 >= ?2", &q, &err) != FB_OK) {
		fail(w, P_RUN, "fork of replica %d: %s", i, err.msg);
		return -1;
	}
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)at);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (nmoved == cap) {
			fb_hlc *n2 = realloc(moved_hlc, (cap = cap ? 2 * cap : 64) *
					     sizeof(*n2));

			if (!n2)
				break;
			moved_hlc = n2;
		}
		moved_hlc[nmoved++] = (fb_hlc)sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (book_fork(b, at, old, &moved, &err) != FB_OK) {
		free(moved_hlc);
		fail(w, P_RUN, "fork of replica %d at %llu: %s", i, (unsigned long long)at,
		     err.msg);
		return -1;
	}
	trace(w, "      replica %d goes on as device %s (was %s), %zu changes moved", i,
	      b->device, old, moved);
	w->out->forks++;
	for (k = w->rep[i].restored_nw; k < w->nw; k++) {
		struct write *x = &w->w[k];

		if (x->rep != i)
			continue;
		for (m = 0; m < nmoved; m++) {
			rename_stamp(&x->stamp, old, moved_hlc[m], b->device);
			rename_stamp(&x->base, old, moved_hlc[m], b->device);
			for (f = 0; x->held && f < RECORD_FIELDS_MAX; f++)
				rename_stamp(&x->held[f], old, moved_hlc[m], b->device);
			/* The delete's vector names the moved writes it saw. */
			if (x->internal &&
			    rename_seen_text(&x->value, old, moved_hlc[m], b->device)) {
				fail(w, P_RUN, "fork of replica %d: no memory", i);
				break;
			}
		}
	}
	free(moved_hlc);
	return 0;
}


/*
 * Send back to the hub, as client.c's relay does, the changes of other
 * devices that replica i holds and the hub lacks, each device's chain
 * from the hub's head on; then clear the mark.  Through the wire's
 * encoders, as the hub's handler would read them.
 */
static int relay_replica(struct world *w, int i)
{
	struct book *b = w->rep[i].b;
	struct fb_buf json = FB_BUF_INIT(WIRE_BODY_MAX);
	struct wire_heads h, ask;
	uint64_t mine[WIRE_HEADS_MAX];  /* what the replica holds of each */
	uint64_t next[WIRE_HEADS_MAX] = { 0 };  /* their next commit there */
	struct hub_push_result res;
	struct hub_device dev;
	struct wire_batch wb;
	struct fb_error err;
	fb_hlc t;
	size_t k, n = 0, d, rounds;
	int ret = -1;

	memset(&wb, 0, sizeof(wb));
	memset(&ask, 0, sizeof(ask));
	if (wire_heads_alloc(&h, WIRE_HEADS_MAX)) {
		fail(w, P_RUN, "relay of replica %d: out of memory", i);
		return -1;
	}
	h.n = 0;
	if (book_relay_forget(b, &err) != FB_OK ||
	    book_each_relay_candidate(b, wire_heads_note, &h, &err) != FB_OK ||
	    w->hub->ops->auth(w->hub, w->rep[i].th, &dev, &err) != FB_OK) {
		fail(w, P_RUN, "relay of replica %d: %s", i, err.msg);
		goto out;
	}
	memcpy(mine, h.seq, h.n * sizeof(*h.seq));
	/* The heads request and answer, through the wire. */
	if (h.n && (wire_heads_request_encode(&h, &json) != FB_OK ||
		    wire_heads_request_decode(buf_str(&json), json.len, &ask, &err) != FB_OK ||
		    w->hub->ops->heads(w->hub, &dev, &ask, &err) != FB_OK ||
		    (buf_reset(&json), wire_heads_answer_encode(&ask, hub_time(w), &json)) != FB_OK ||
		    wire_heads_answer_decode(buf_str(&json), json.len, &h, &t, &err) != FB_OK)) {
		fail(w, P_RUN, "relay of replica %d: heads: %s", i, err.msg);
		goto out;
	}
	/* In the replica's commit order across devices, as client.c sends. */
	for (d = 0; d < h.n; d++)
		if (mine[d] > h.seq[d] &&
		    book_relay_first(b, h.device[d], h.seq[d], &next[d], &err) != FB_OK) {
			fail(w, P_RUN, "relay of replica %d: %s", i, err.msg);
			goto out;
		}
	for (rounds = 0; rounds < SYNC_ROUNDS_MAX; rounds++) {
		uint64_t other = 0, held;
		enum fb_code rc;
		int best = -1;

		for (d = 0; d < h.n; d++)
			if (next[d] && (best < 0 || next[d] < next[best]))
				best = (int)d;
		if (best < 0)
			break;
		for (d = 0; d < h.n; d++)
			if (next[d] && (int)d != best && (!other || next[d] < other))
				other = next[d];
		held = h.seq[best];
		next[best] = 0;
		if (book_relay_changes(b, h.device[best], held, other, g_batch,
				       SYNC_BATCH_MAX, SYNC_PUSH_BYTES, &n, &err) != FB_OK) {
			fail(w, P_RUN, "relay of replica %d: %s", i, err.msg);
			goto out;
		}
		if (n == 0)
			continue;
		buf_reset(&json);
		if (wire_relay_encode(g_batch, n, &json) != FB_OK ||
		    wire_push_decode(buf_str(&json), json.len, &wb, &err) != FB_OK ||
		    !wb.relay) {
			fail(w, P_RUN, "relay of replica %d: the wire lost the batch", i);
			goto out;
		}
		fb_error_clear(&err);
		rc = w->hub->ops->push(w->hub, &dev, &wb, &res, &err);
		trace(w, "      relayed %zu changes of %s from seq %llu: %s, ack %llu,"
		      " %zu applied, %zu replayed", n, h.device[best],
		      (unsigned long long)held + 1, rc == FB_OK ? "taken" : err.msg,
		      (unsigned long long)res.ack, res.applied, res.replayed);
		wire_batch_release(&wb);
		if (rc != FB_OK && rc != FB_ECORRUPT && rc != FB_ECONFLICT && rc != FB_EAUTH) {
			fail(w, P_RUN, "relay of replica %d: %s", i, err.msg);
			goto out;
		}
		/* Refused, the hub keeps its own history of the device. */
		if (rc == FB_OK) {
			w->out->relayed += res.applied;
			h.seq[best] = res.ack;
			if (res.ack >= g_batch[n - 1].seq + g_batch[n - 1].n - 1 &&
			    book_relay_first(b, h.device[best], res.ack, &next[best],
					     &err) != FB_OK) {
				fail(w, P_RUN, "relay of replica %d: %s", i, err.msg);
				goto out;
			}
		}
		for (k = 0; k < n; k++)
			jchange_release(&g_batch[k]);
		n = 0;
	}
	if (book_begin(b, &err) != FB_OK ||
	    store_meta_set_int(b->st, SYNC_RELAY_DUE, 0, &err) != FB_OK ||
	    book_commit(b, &err) != FB_OK) {
		fail(w, P_RUN, "relay of replica %d: %s", i, err.msg);
		goto out;
	}
	ret = 0;
out:
	for (k = 0; k < n; k++)
		jchange_release(&g_batch[k]);
	wire_batch_release(&wb);
	wire_heads_release(&h);
	wire_heads_release(&ask);
	buf_release(&json);
	return ret;
}

/*
 * One `fieldbook sync` of replica i, as sync_run does it: push, pull,
 * and again where the hub's answers show a history changed (a fork, or
 * entries a restored hub lost).  mode: 0 both, 1 push only, 2 pull only.
 */
static int sync_replica(struct world *w, int i, size_t push_limit, size_t pull_limit,
			int mode, int lose_ack, int cut)
{
	unsigned char held_hash[JOURNAL_HASH_LEN];
	uint64_t held = 0, fork_at, resend;
	struct fb_error err;
	int round, held_known = 0;

	for (round = 0; round < SYNC_HISTORY_ROUNDS; round++) {
		fork_at = 0;
		if (mode != 2) {
			int pushed = push(w, i, push_limit, lose_ack, &fork_at);

			if (pushed < 0)
				return -1;
			if (pushed > 0)
				return 0;       /* refused: the clock is still fast */
			if (fork_at) {
				if (fork_replica(w, i, fork_at))
					return -1;
				continue;
			}
			if (lose_ack)
				return 0;
		}
		if (mode == 1)
			break;
		if (pull(w, i, pull_limit, cut, &held_known, &held, held_hash))
			return -1;
		if (!held_known)
			return 0;
		if (book_hub_holds(w->rep[i].b, held, held_hash, &fork_at, &resend,
				   &err) != FB_OK) {
			fail(w, P_RUN, "sync of replica %d: %s", i, err.msg);
			return -1;
		}
		if (fork_at) {
			if (fork_replica(w, i, fork_at))
				return -1;
			continue;
		}
		if (resend && store_meta_set_int(w->rep[i].b->st, SYNC_RELAY_DUE, 1,
						 &err) != FB_OK) {
			fail(w, P_RUN, "sync of replica %d: %s", i, err.msg);
			return -1;
		}
		if (!resend || mode == 2)
			break;
		trace(w, "      the hub lacks %llu entries of this device: sending again",
		      (unsigned long long)resend);
	}
	if (mode != 2) {
		long long due = 0;

		if (store_meta_int(w->rep[i].b->st, SYNC_RELAY_DUE, 0, &due, &err) != FB_OK) {
			fail(w, P_RUN, "sync of replica %d: %s", i, err.msg);
			return -1;
		}
		if (due)
			return relay_replica(w, i);
	}
	return 0;
}

/* --- operations ------------------------------------------------------ */

static void op_add(struct world *w, int i, const struct op *o)
{
	struct book *b = w->rep[i].b;
	struct field_value fv[12];
	char id[FB_RECORD_ID_MAX + 1], want[FB_ID_LEN + 1], buf[128];
	uint64_t before = own_next(w, i);
	uint32_t opt = o->r[1];
	enum rec_type t;
	struct fb_error err;
	enum fb_code rc;
	size_t n = 0;

#define OPT(bit, name, vals) do { if (opt & (1u << (bit))) \
	fv[n++] = (struct field_value){ name, pick(vals, o->r[6] >> (bit)) }; } while (0)
	make_uuid(&o->r[2], want);
	switch (o->kind) {
	case OP_ADD_MEMBER:
		t = REC_MEMBER;
		fv[n++] = (struct field_value){ "full_name", pick(v_full_name, o->r[0]) };
		OPT(0, "role", v_role);
		OPT(1, "birth_year", v_birth_year);
		OPT(2, "phone", v_phone);
		OPT(3, "joined", v_joined);
		OPT(4, "notes", v_notes);
		break;
	case OP_ADD_TRAINING:
		t = REC_TRAINING;
		fv[n++] = (struct field_value){ "title", pick(v_title, o->r[0]) };
		fv[n++] = (struct field_value){ "start_date", pick(v_start, o->r[0] >> 8) };
		fv[n++] = (struct field_value){ "topics", pick(v_topics, o->r[0] >> 16) };
		OPT(0, "end_date", v_end);
		OPT(1, "location", v_location);
		OPT(2, "organizer_level", v_organizer);
		OPT(3, "trainer", v_trainer);
		OPT(4, "notes", v_notes);
		break;
	default:
		t = REC_VISIT;
		fv[n++] = (struct field_value){ "visit_date", pick(v_visit_date, o->r[0]) };
		fv[n++] = (struct field_value){ "reason", pick(v_reason, o->r[0] >> 8) };
		list_records(w, b, "member", 0, 0, &w->la);
		if (w->la.n && (o->r[0] >> 16) % 3)
			fv[n++] = (struct field_value){ "member_id",
				w->la.id[(o->r[0] >> 20) % w->la.n] };
		else
			fv[n++] = (struct field_value){ "person_name", pick(v_person, o->r[0] >> 24) };
		OPT(0, "support", v_support);
		OPT(1, "amount_vnd", v_amount);
		OPT(2, "gift", v_gift);
		OPT(3, "visitors", v_visitors);
		OPT(4, "notes", v_notes);
		break;
	}
#undef OPT
	trace(w, "op %d: r%d %s %s (%s = '%s', %zu fields)", w->cur_op, i,
	      op_names[o->kind], want, fv[0].name, shown(fv[0].value, buf, sizeof(buf)), n);
	fb_error_clear(&err);
	rc = book_add(b, t, want, fv, n, id, &err);
	local_done(w, i, before, rc, &err);
}

static void op_attend(struct world *w, int i, const struct op *o)
{
	struct book *b = w->rep[i].b;
	struct field_value fv[2];
	char id[FB_RECORD_ID_MAX + 1];
	uint64_t before = own_next(w, i);
	struct fb_error err;
	size_t ti, mi;

	list_records(w, b, "training", 0, 0, &w->la);
	list_records(w, b, "member", 0, 0, &w->lb);
	if (!w->la.n || !w->lb.n) {
		trace(w, "op %d: r%d attend: nothing to attend", w->cur_op, i);
		return;
	}
	/* Often the first pair, so that two laptops add the same one. */
	ti = o->r[0] % 3 ? 0 : o->r[1] % w->la.n;
	mi = o->r[2] % 3 ? o->r[3] % (w->lb.n < 3 ? w->lb.n : 3) : o->r[3] % w->lb.n;
	fv[0] = (struct field_value){ "training_id", w->la.id[ti] };
	fv[1] = (struct field_value){ "member_id", w->lb.id[mi] };
	trace(w, "op %d: r%d attend %s:%s", w->cur_op, i, w->la.id[ti], w->lb.id[mi]);
	fb_error_clear(&err);
	local_done(w, i, before, book_add(b, REC_ATTENDANCE, NULL, fv, 2, id, &err), &err);
}

static void op_set_deleted(struct world *w, int i, const struct op *o,
			   const char *type, int deleted)
{
	struct book *b = w->rep[i].b;
	uint64_t before = own_next(w, i);
	struct fb_error err;
	const char *id;

	/* Half the time one of the first three records, which edits hit
	 * half the time too: edits then meet deletes that did not see them,
	 * older and newer, and arrive before or after them. */
	if (!type && o->r[1] & 1) {
		list_records(w, b, NULL, !deleted, 0, &w->la);
		if (w->la.n > 3)
			w->la.n = 3;
	} else {
		list_records(w, b, type, !deleted, 1, &w->la);
	}
	if (!w->la.n) {
		trace(w, "op %d: r%d %s: no record", w->cur_op, i, op_names[o->kind]);
		return;
	}
	id = w->la.id[o->r[0] % w->la.n];
	trace(w, "op %d: r%d %s %s", w->cur_op, i, op_names[o->kind], id);
	fb_error_clear(&err);
	local_done(w, i, before, book_set_deleted(b, id, deleted, &err), &err);
}

static const struct field_pool *pool_for(enum rec_type t, uint32_t r)
{
	size_t k, n = 0;

	for (k = 0; k < NPOOLS; k++)
		n += pools[k].type == t;
	r %= (uint32_t)n;
	for (k = 0; k < NPOOLS; k++)
		if (pools[k].type == t && r-- == 0)
			return &pools[k];
	return NULL;
}

static const char *pool_value(struct world *w, const struct field_pool *f,
			      uint32_t r)
{
	if (f->values)
		return pick(f->values, r);
	/* A visit's member: one this replica holds, or none. */
	if (!w->lb.n || r % 4 == 0)
		return "";
	return w->lb.id[(r >> 2) % w->lb.n];
}

static void op_edit(struct world *w, int i, const struct op *o)
{
	struct book *b = w->rep[i].b;
	const struct field_pool *f1, *f2 = NULL;
	struct field_value fv[2];
	uint64_t before = own_next(w, i);
	struct fb_error err;
	char buf[128];
	size_t n = 1, k;
	const char *id;
	enum rec_type t;

	list_records(w, b, NULL, 0, 0, &w->la);
	if (!w->la.n) {
		trace(w, "op %d: r%d edit: no record", w->cur_op, i);
		return;
	}
	/* Half the time one of the first three, so that edits collide. */
	k = o->r[0] & 1 ? (o->r[0] >> 1) % (w->la.n < 3 ? w->la.n : 3)
			: (o->r[0] >> 1) % w->la.n;
	id = w->la.id[k];
	t = w->la.type[k];
	list_records(w, b, "member", 0, 0, &w->lb);
	f1 = pool_for(t, o->r[1]);
	fv[0] = (struct field_value){ f1->field, pool_value(w, f1, o->r[2]) };
	if (o->r[3] % 4 == 0) {
		f2 = pool_for(t, o->r[4]);
		if (f2 != f1) {
			fv[1] = (struct field_value){ f2->field, pool_value(w, f2, o->r[5]) };
			n = 2;
		}
	}
	trace(w, "op %d: r%d edit %s %s = '%s'%s%s", w->cur_op, i, id, fv[0].name,
	      shown(fv[0].value, buf, sizeof(buf)), n > 1 ? " and " : "",
	      n > 1 ? fv[1].name : "");
	fb_error_clear(&err);
	local_done(w, i, before, book_edit(b, id, fv, n, NULL, &err), &err);
}

/* `fieldbook resolve ID --keep current|other`, as cmd_conflicts.c does. */
static void op_resolve(struct world *w, int i, const struct op *o)
{
	struct book *b = w->rep[i].b;
	sqlite3_stmt *q = NULL;
	uint64_t before = own_next(w, i);
	struct fb_error err;
	long long ids[LIST_MAX], id;
	size_t n = 0;
	int keep_other = o->r[1] & 1, s;

	if (store_prepare(b->st, "SELECT id FROM conflict WHERE resolved = 0 ORDER BY id",
			  &q, &err) != FB_OK) {
		fail(w, P_RUN, "listing conflicts: %s", err.msg);
		return;
	}
	while ((s = sqlite3_step(q)) == SQLITE_ROW && n < LIST_MAX)
		ids[n++] = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (!n) {
		trace(w, "op %d: r%d resolve: no open conflict", w->cur_op, i);
		return;
	}
	id = ids[o->r[0] % n];
	trace(w, "op %d: r%d resolve #%lld --keep %s", w->cur_op, i, id,
	      keep_other ? "other" : "current");
	fb_error_clear(&err);
	local_done(w, i, before, book_resolve_keep(b, id, !keep_other, &err), &err);
}

static void op_sync(struct world *w, int i, const struct op *o)
{
	static const char *const modes[] = { "push and pull", "push only", "pull only" };
	unsigned m = o->r[0] % 10, mode = m < 6 ? 0 : m < 8 ? 1 : 2;
	size_t push_limit = w->p->push_limit[i];
	size_t pull_limit = o->r[2] % 3 ? SYNC_BATCH_FIRST : 1 + o->r[2] / 3 % 4;
	int lose_ack = o->r[3] % 10 == 0, cut = o->r[3] % 10 == 1;

	trace(w, "op %d: r%d sync, %s (batches of %zu, pages of %zu)%s%s", w->cur_op,
	      i, modes[mode], push_limit, pull_limit, lose_ack ? ", ack lost" : "",
	      cut ? ", pull cut" : "");
	w->out->syncs++;
	sync_replica(w, i, push_limit, pull_limit, (int)mode, lose_ack, cut);
}

static void op_restart(struct world *w, int i)
{
	trace(w, "op %d: r%d restart", w->cur_op, i);
	book_close(w->rep[i].b);
	w->rep[i].b = NULL;
	open_replica(w, i);
}

static void run_op(struct world *w, const struct op *o);

/*
 * Another process writes the same book (`fieldbook edit` while the
 * first is open): a second handle, whose writes the first one's cached
 * sequence, chain and clock have not seen.
 */
static void op_second(struct world *w, int i, const struct op *o)
{
	static const enum op_kind kinds[] = { OP_EDIT, OP_EDIT, OP_ADD_MEMBER, OP_DELETE,
					      OP_RESTORE, OP_ATTEND };
	struct book *first = w->rep[i].b;
	struct op sub = *o;

	trace(w, "op %d: r%d second process:", w->cur_op, i);
	sub.kind = kinds[o->r[7] % (sizeof(kinds) / sizeof(kinds[0]))];
	sub.dt_ms = 0;
	if (open_replica(w, i)) {
		w->rep[i].b = first;
		return;
	}
	run_op(w, &sub);
	book_close(w->rep[i].b);
	w->rep[i].b = first;
}

/* The hub's operator takes a backup (VACUUM INTO, as sqlite3 .backup). */
static void op_hub_backup(struct world *w)
{
	struct fb_store *st = NULL;
	struct fb_error err;
	char *sql;

	trace(w, "op %d: hub backup", w->cur_op);
	snprintf(w->backup_path, sizeof(w->backup_path), "%s.bak", w->hub_path);
	remove_db(w->backup_path);
	sql = sqlite3_mprintf("VACUUM INTO %Q", w->backup_path);
	if (!sql || store_open(w->hub_path, 0, hub_schema, &st, &err) != FB_OK ||
	    store_exec(st, sql, &err) != FB_OK)
		fail(w, P_RUN, "hub backup: %s", sql ? err.msg : "out of memory");
	sqlite3_free(sql);
	store_close(st);
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[65536];
	size_t n;
	int rc = in && out ? 0 : -1;

	while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

/*
 * The hub's disk is lost and its backup put back: what was pushed since
 * is gone from the hub, though the laptops hold it and think it sent.
 */
static void op_hub_restore(struct world *w)
{
	struct fb_error err;

	if (!w->backup_path[0]) {
		trace(w, "op %d: hub restore: no backup yet", w->cur_op);
		return;
	}
	trace(w, "op %d: hub restored from its backup", w->cur_op);
	w->out->restored = 1;
	w->hub->ops->close(w->hub);
	w->hub = NULL;
	remove_db(w->hub_path);
	if (copy_file(w->backup_path, w->hub_path)) {
		fail(w, P_RUN, "hub restore: cannot copy the backup");
		return;
	}
	if (hub_store_sqlite_open(w->hub_path, 1, &w->hub, &err) != FB_OK)
		fail(w, P_RUN, "hub restore: %s", err.msg);
}

/* A branch head's nephew copies her database (VACUUM INTO, a whole copy). */
static void op_laptop_backup(struct world *w, int i)
{
	struct fb_store *st = NULL;
	struct fb_error err;
	char *sql;

	char name[sizeof(w->rep[i].backup)];

	trace(w, "op %d: r%d backup of the laptop's database", w->cur_op, i);
	snprintf(name, sizeof(name), "%s.bak", w->rep[i].path);
	memcpy(w->rep[i].backup, name, sizeof(name));
	remove_db(w->rep[i].backup);
	sql = sqlite3_mprintf("VACUUM INTO %Q", w->rep[i].backup);
	if (!sql || store_open(w->rep[i].path, 0, NULL, &st, &err) != FB_OK ||
	    store_exec(st, sql, &err) != FB_OK)
		fail(w, P_RUN, "laptop backup: %s", sql ? err.msg : "out of memory");
	sqlite3_free(sql);
	store_close(st);
}

/* 1 when the book's journal (or the hub's) holds the write x. */
static int holds_write(struct fb_store *st, const struct write *x)
{
	sqlite3_stmt *q = NULL;
	int yes = 0;

	/* A copy's clock can give the same HLC again, to another write. */
	if (store_prepare(st, "SELECT 1 FROM journal WHERE device = ?1 AND hlc = ?2"
			  " AND record_id = ?3 AND instr(body, '\"' || ?4 || '\"') > 0",
			  &q, NULL) != FB_OK)
		return 0;
	sqlite3_bind_text(q, 1, x->stamp.device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)x->stamp.hlc);
	sqlite3_bind_text(q, 3, x->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, x->field, -1, SQLITE_STATIC);
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return yes;
}

/*
 * Her disk dies and the copy is put back.  What she recorded since and
 * had not sent is gone with the disk; what the hub holds must come
 * back, and what she records from now on must reach everyone.
 */
static void op_laptop_restore(struct world *w, int i, const struct op *o)
{
	struct fb_store *hub = NULL;
	struct fb_error err;
	size_t k;
	int n;

	/* The replica drawn, or the next one that has a copy. */
	for (n = 0; n < w->p->nrep && !w->rep[i].backup[0]; n++)
		i = (i + 1 + (int)(o->r[0] % 2)) % w->p->nrep;
	if (!w->rep[i].backup[0]) {
		trace(w, "op %d: laptop restore: no copy yet", w->cur_op);
		return;
	}
	trace(w, "op %d: r%d restored from its copy", w->cur_op, i);
	w->out->laptop_restores++;
	book_close(w->rep[i].b);
	w->rep[i].b = NULL;
	remove_db(w->rep[i].path);
	if (copy_file(w->rep[i].backup, w->rep[i].path) || open_replica(w, i)) {
		fail(w, P_RUN, "laptop restore: cannot put the copy back");
		return;
	}
	if (store_open(w->hub_path, 0, hub_schema, &hub, &err) != FB_OK) {
		fail(w, P_RUN, "laptop restore: reading the hub: %s", err.msg);
		return;
	}
	for (k = 0; k < w->nw; k++) {
		struct write *x = &w->w[k];

		if (x->rep == i && !x->gone && !holds_write(w->rep[i].b->st, x) &&
		    !holds_write(hub, x)) {
			x->gone = 1;
			trace(w, "      gone with the disk: %s.%s at %016llx:%s", x->rec,
			      x->field, (unsigned long long)x->stamp.hlc, x->stamp.device);
		}
	}
	store_close(hub);
	w->rep[i].restored_nw = w->nw;
}

static void run_op(struct world *w, const struct op *o)
{
	int i = o->rep;

	w->now_ms += o->dt_ms;
	set_clocks(w, o->jump);
	switch (o->kind) {
	case OP_ADD_MEMBER:
	case OP_ADD_TRAINING:
	case OP_ADD_VISIT:  op_add(w, i, o); break;
	case OP_ATTEND:     op_attend(w, i, o); break;
	case OP_UNATTEND:   op_set_deleted(w, i, o, "attendance", 1); break;
	case OP_EDIT:       op_edit(w, i, o); break;
	case OP_DELETE:     op_set_deleted(w, i, o, NULL, 1); break;
	case OP_RESTORE:    op_set_deleted(w, i, o, NULL, 0); break;
	case OP_RESOLVE:    op_resolve(w, i, o); break;
	case OP_SYNC:       op_sync(w, i, o); break;
	case OP_RESTART:    op_restart(w, i); break;
	case OP_SECOND:     op_second(w, i, o); break;
	case OP_HUB_BACKUP:
		if (g_hub_restore)
			op_hub_backup(w);
		break;
	case OP_HUB_RESTORE:
		if (g_hub_restore)
			op_hub_restore(w);
		break;
	case OP_LAPTOP_BACKUP:  op_laptop_backup(w, i); break;
	case OP_LAPTOP_RESTORE: op_laptop_restore(w, i, o); break;
	case OP_NKINDS:     break;
	}
}

/* --- the properties --------------------------------------------------- */

struct ser {
	struct fb_buf buf;
	size_t n;
	const char *branch;             /* only its records, or NULL: all */
};

static enum fb_code ser_record(const struct record *r, void *ctx)
{
	const struct type_def *t = model_type(r->type);
	struct ser *s = ctx;
	char stamp[STAMP_TEXT_MAX];
	enum fb_code rc = FB_OK;
	int k;

	if (s->branch && strcmp(r->branch, s->branch))
		return FB_OK;
	s->n++;
	rc = buf_printf(&s->buf, "%s %s %s", r->id, t->name, r->branch);
	for (k = 0; rc == FB_OK && t->fields[k].name; k++) {
		if (!r->val[k])
			continue;
		stamp_format(&r->stamp[k], stamp);
		rc = buf_printf(&s->buf, " %s=", t->fields[k].name);
		if (rc == FB_OK)
			rc = buf_json_str(&s->buf, r->val[k]);
		if (rc == FB_OK)
			rc = buf_printf(&s->buf, "@%s", stamp);
	}
	return rc == FB_OK ? buf_addc(&s->buf, '\n') : rc;
}

static int serialise(struct world *w, struct book *b, const char *who,
		     const char *branch, struct ser *s)
{
	struct fb_error err;

	memset(s, 0, sizeof(*s));
	s->branch = branch;
	s->buf.cap = FB_BUF_DEFAULT_CAP;
	if (book_each(b, REC_NTYPES, 0, 1, ser_record, s, &err) != FB_OK) {
		fail(w, P_CONVERGE, "reading the records of %s: %s", who, err.msg);
		return -1;
	}
	return 0;
}

/* The first line where a and b differ, for the message. */
static void first_difference(const char *a, const char *b, char *out, size_t n)
{
	const char *la = a, *lb = b;
	int ka, kb;

	while (*la && *lb) {
		const char *ea = strchr(la, '\n'), *eb = strchr(lb, '\n');

		ka = (int)(ea ? ea - la : (long)strlen(la));
		kb = (int)(eb ? eb - lb : (long)strlen(lb));
		if (ka != kb || memcmp(la, lb, (size_t)ka))
			break;
		la += ka + (ea != NULL);
		lb += kb + (eb != NULL);
	}
	ka = (int)(strchr(la, '\n') ? strchr(la, '\n') - la : (long)strlen(la));
	kb = (int)(strchr(lb, '\n') ? strchr(lb, '\n') - lb : (long)strlen(lb));
	snprintf(out, n, "hub has [%.*s], collector has [%.*s]", ka, la, kb, lb);
}

/* A collector holds its branch's records as the hub does, and no other. */
static void check_converged(struct world *w, struct book *hub)
{
	struct ser h[2], c;
	char diff[900];
	int i, k;

	if (serialise(w, hub, "the hub", BRANCH, &h[0]) ||
	    serialise(w, hub, "the hub", OTHER_BRANCH, &h[1]))
		goto out_h;
	for (i = 0; i < w->p->nrep; i++) {
		k = i >= w->p->nb1;
		if (serialise(w, w->rep[i].b, "a collector", NULL, &c))
			break;
		if (strcmp(buf_str(&h[k].buf), buf_str(&c.buf))) {
			first_difference(buf_str(&h[k].buf), buf_str(&c.buf), diff,
					 sizeof(diff));
			fail(w, P_CONVERGE, "replica %d (%zu records) differs from the hub"
			     " (%zu records of %s): %s", i, c.n, h[k].n, branch_of(w->p, i),
			     diff);
			buf_release(&c.buf);
			break;
		}
		buf_release(&c.buf);
	}
out_h:
	buf_release(&h[0].buf);
	buf_release(&h[1].buf);
}

/* Every (record, field, base) named by an entry of some journal. */
struct basekey {
	char rec[FB_RECORD_ID_MAX + 1];
	char field[32];
	struct fb_stamp base;
};

struct baseset {
	struct basekey *v;
	size_t n, cap;
};

static void collect_bases(struct world *w, struct fb_store *st, struct baseset *s)
{
	sqlite3_stmt *q = NULL;
	struct fb_error err;
	size_t k;

	if (store_prepare(st, "SELECT record_id, body FROM journal", &q, &err) != FB_OK) {
		fail(w, P_LOST, "reading journal: %s", err.msg);
		return;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct jchange c;

		jchange_init(&c);
		if (journal_body_parse((const char *)sqlite3_column_text(q, 1), &c, &err)) {
			fail(w, P_LOST, "journal body: %s", err.msg);
			jchange_release(&c);
			break;
		}
		for (k = 0; k < c.n; k++) {
			if (!c.e[k].base.hlc)
				continue;
			if (s->n == s->cap) {
				size_t nc = s->cap ? 2 * s->cap : 256;
				struct basekey *nv = realloc(s->v, nc * sizeof(*nv));

				if (!nv)
					break;
				s->v = nv;
				s->cap = nc;
			}
			snprintf(s->v[s->n].rec, sizeof(s->v[0].rec), "%s",
				 sqlite3_column_text(q, 0));
			snprintf(s->v[s->n].field, sizeof(s->v[0].field), "%s", c.e[k].field);
			s->v[s->n].base = c.e[k].base;
			s->n++;
		}
		jchange_release(&c);
	}
	sqlite3_finalize(q);
}

static int in_conflict_log(struct fb_store *st, const struct write *x)
{
	sqlite3_stmt *q = NULL;
	int found = 0;

	if (store_prepare(st, "SELECT 1 FROM conflict WHERE record_id = ?1 AND field = ?2"
			  " AND ((loser_hlc = ?3 AND loser_device = ?4 AND loser_value = ?5)"
			  " OR (kind = 'field' AND winner_hlc = ?3 AND winner_device = ?4"
			  " AND winner_value = ?5)) LIMIT 1", &q, NULL) != FB_OK)
		return 0;
	sqlite3_bind_text(q, 1, x->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, x->field, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)x->stamp.hlc);
	sqlite3_bind_text(q, 4, x->stamp.device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, x->value, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found;
}

/* The count a query gives, with ?1 bound to arg if not NULL. */
static size_t count_rows_of(struct fb_store *st, const char *sql, const char *arg)
{
	sqlite3_stmt *q = NULL;
	size_t n = 0;

	if (store_prepare(st, sql, &q, NULL) == FB_OK) {
		if (arg)
			sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			n = (size_t)sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	return n;
}

static size_t count_rows(struct fb_store *st, const char *sql)
{
	return count_rows_of(st, sql, NULL);
}

static int is_base(const struct baseset *bases, const struct write *x)
{
	size_t j;

	for (j = 0; j < bases->n; j++)
		if (stamp_eq(&bases->v[j].base, &x->stamp) &&
		    !strcmp(bases->v[j].field, x->field) &&
		    !strcmp(bases->v[j].rec, x->rec))
			return 1;
	return 0;
}

/*
 * Two writers of the same value are not a conflict (merge.h): a value
 * may lose unlogged to an equal one, which wins by a greater stamp.
 */
static int absorbed(const struct world *w, const char *rec, const char *field,
		    const char *value, const struct fb_stamp *stamp)
{
	size_t k;

	for (k = 0; k < w->nw; k++)
		if (stamp_cmp(&w->w[k].stamp, stamp) > 0 && !strcmp(w->w[k].value, value) &&
		    !strcmp(w->w[k].field, field) && !strcmp(w->w[k].rec, rec))
			return 1;
	return 0;
}

static void logged_everywhere(struct world *w, struct fb_store *st,
			      const char *who, const char *branch,
			      const struct baseset *bases)
{
	sqlite3_stmt *q = NULL;
	size_t k;
	char a[160];

	if (store_prepare(st, "SELECT json_extract(clk, ?2) FROM record WHERE id = ?1",
			  &q, NULL) != FB_OK) {
		fail(w, P_LOGGED, "%s: cannot read records", who);
		return;
	}
	for (k = 0; k < w->nw; k++) {
		const struct write *x = &w->w[k];
		char path[64], stamp[STAMP_TEXT_MAX];
		int found = 0;

		if (x->gone || x->internal ||
		    (branch && strcmp(branch, branch_of(w->p, x->rep))))
			continue;
		snprintf(path, sizeof(path), "$.%s", x->field);
		stamp_format(&x->stamp, stamp);
		sqlite3_bind_text(q, 1, x->rec, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
			found = !strcmp((const char *)sqlite3_column_text(q, 0), stamp);
		sqlite3_reset(q);
		if (found || in_conflict_log(st, x) || is_base(bases, x) ||
		    absorbed(w, x->rec, x->field, x->value, &x->stamp))
			continue;
		fail(w, P_LOGGED, "%s lost op %d's (replica %d) %s.%s = '%s' at %s: not"
		     " current there, not in its conflict log, and no entry names it as"
		     " its base", who, x->op, x->rep, x->rec, x->field,
		     shown(x->value, a, sizeof(a)), stamp);
		break;
	}
	sqlite3_finalize(q);
}

static void check_nothing_lost(struct world *w, struct book *hub)
{
	struct baseset bases = { NULL, 0, 0 };
	sqlite3_stmt *q = NULL;
	struct fb_error err;
	size_t k;
	int i;

	collect_bases(w, hub->st, &bases);
	for (i = 0; i < w->p->nrep; i++)
		collect_bases(w, w->rep[i].b->st, &bases);
	if (store_prepare(hub->st, "SELECT json_extract(vals, ?2), json_extract(clk, ?2)"
			  " FROM record WHERE id = ?1", &q, &err) != FB_OK) {
		fail(w, P_LOST, "reading hub records: %s", err.msg);
		goto out;
	}
	for (k = 0; k < w->nw; k++) {
		const struct write *x = &w->w[k];
		char path[64], stamp[STAMP_TEXT_MAX], a[160], c[160];
		char held[STAMP_TEXT_MAX] = "nothing";
		const char *val = NULL, *clk = NULL;
		int found = 0;

		/* Two deletes that saw different things lost nothing of
		 * anyone's: a seen vector merges without a conflict. */
		if (x->gone || x->internal)
			continue;
		snprintf(path, sizeof(path), "$.%s", x->field);
		stamp_format(&x->stamp, stamp);
		sqlite3_bind_text(q, 1, x->rec, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			val = (const char *)sqlite3_column_text(q, 0);
			clk = (const char *)sqlite3_column_text(q, 1);
		}
		if (clk)
			snprintf(held, sizeof(held), "%s", clk);
		if (clk && !strcmp(clk, stamp)) {
			if (!val || strcmp(val, x->value))
				fail(w, P_LOST, "%s.%s holds stamp %s with '%s' on the hub,"
				     " but it was written as '%s'", x->rec, x->field, stamp,
				     shown(val ? val : "(none)", a, sizeof(a)),
				     shown(x->value, c, sizeof(c)));
			w->out->current++;
			found = 1;
		}
		sqlite3_reset(q);
		if (found)
			continue;
		found = in_conflict_log(hub->st, x);
		for (i = 0; !found && i < w->p->nrep; i++)
			found = in_conflict_log(w->rep[i].b->st, x);
		if (found) {
			w->out->logged++;
			continue;
		}
		if (is_base(&bases, x)) {
			w->out->superseded++;
			continue;
		}
		if (absorbed(w, x->rec, x->field, x->value, &x->stamp)) {
			w->out->absorbed++;
			continue;
		}
		fail(w, P_LOST, "op %d (replica %d) wrote %s.%s = '%s' at %s: not current"
		     " on the hub (which holds %s), in no conflict log, and no entry names"
		     " it as its base", x->op, x->rep, x->rec, x->field,
		     shown(x->value, a, sizeof(a)), stamp, held);
	}
	for (k = 0; k < w->nw; k++)
		w->out->writes += !w->w[k].internal;
	/* Stricter than the above: every replica has seen every entry, so
	 * each must itself hold or log every value not knowingly replaced. */
	logged_everywhere(w, hub->st, "the hub", NULL, &bases);
	for (i = 0; i < w->p->nrep; i++) {
		char who[32];

		snprintf(who, sizeof(who), "replica %d", i);
		logged_everywhere(w, w->rep[i].b->st, who, branch_of(w->p, i), &bases);
	}
out:
	sqlite3_finalize(q);
	free(bases.v);
}

/* The write with this record, field and stamp, or NULL. */
static const struct write *find_write(const struct world *w, const char *rec,
				      const char *field, const struct fb_stamp *st)
{
	size_t k;

	/* A write gone with a lost disk is held nowhere, and its stamp may
	 * be taken again by the copy put back (the same clock). */
	for (k = 0; k < w->nw; k++)
		if (!w->w[k].gone && stamp_eq(&w->w[k].stamp, st) &&
		    !strcmp(w->w[k].field, field) && !strcmp(w->w[k].rec, rec))
			return &w->w[k];
	return NULL;
}

/*
 * Nothing is invented: every value a replica holds, and every value its
 * conflict log names, is one an operation wrote, with that stamp.
 */
static enum fb_code invented_record(const struct record *r, void *ctx)
{
	struct world *w = ctx;
	const struct type_def *t = model_type(r->type);
	char stamp[STAMP_TEXT_MAX], a[160], c[160];
	const struct write *x;
	int k;

	for (k = 0; t->fields[k].name; k++) {
		if (!r->val[k])
			continue;
		x = find_write(w, r->id, t->fields[k].name, &r->stamp[k]);
		if (x && !strcmp(x->value, r->val[k]))
			continue;
		stamp_format(&r->stamp[k], stamp);
		fail(w, P_INVENTED, "%s.%s holds '%s' at %s, %s'%s'", r->id,
		     t->fields[k].name, shown(r->val[k], a, sizeof(a)), stamp,
		     x ? "which was written as " : "which no operation wrote", x ?
		     shown(x->value, c, sizeof(c)) : "");
		return FB_EINTERNAL;
	}
	return FB_OK;
}

static void check_invented_log(struct world *w, struct fb_store *st,
			       const char *who)
{
	sqlite3_stmt *q = NULL;
	char a[160];

	if (store_prepare(st, "SELECT record_id, field, kind, winner_value, winner_hlc,"
			  " winner_device, loser_value, loser_hlc, loser_device"
			  " FROM conflict", &q, NULL) != FB_OK) {
		fail(w, P_INVENTED, "%s: cannot read conflicts", who);
		return;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *rec = (const char *)sqlite3_column_text(q, 0),
			   *field = (const char *)sqlite3_column_text(q, 1),
			   *kind = (const char *)sqlite3_column_text(q, 2);
		const struct write *x;
		struct fb_stamp s;
		int side;

		for (side = 0; side < 2; side++) {
			const char *v = (const char *)sqlite3_column_text(q, 3 + 3 * side);

			/* A delete conflict's winner is the delete, named "deleted". */
			if (side == 0 && !strcmp(kind, "delete"))
				continue;
			memset(&s, 0, sizeof(s));
			s.hlc = (fb_hlc)sqlite3_column_int64(q, 4 + 3 * side);
			snprintf(s.device, sizeof(s.device), "%s",
				 sqlite3_column_text(q, 5 + 3 * side));
			x = find_write(w, rec, field, &s);
			if (!x || strcmp(x->value, v)) {
				fail(w, P_INVENTED, "%s's conflict log names %s.%s = '%s' at"
				     " %016llx:%s as %s, which no operation wrote", who, rec,
				     field, shown(v, a, sizeof(a)), (unsigned long long)s.hlc,
				     s.device, side ? "loser" : "winner");
				break;
			}
		}
	}
	sqlite3_finalize(q);
}

static void check_invented(struct world *w, struct book *hub)
{
	char who[32];
	int i;

	if (book_each(hub, REC_NTYPES, 0, 1, invented_record, w, NULL) != FB_OK)
		fail(w, P_AGREE, "the hub's records cannot be read");
	check_invented_log(w, hub->st, "the hub");
	for (i = 0; i < w->p->nrep; i++) {
		snprintf(who, sizeof(who), "replica %d", i);
		if (book_each(w->rep[i].b, REC_NTYPES, 0, 1, invented_record, w, NULL) != FB_OK)
			fail(w, P_AGREE, "%s: its records cannot be read", who);
		check_invented_log(w, w->rep[i].b->st, who);
	}
}

static void check_chains(struct world *w, struct book *hub)
{
	struct fb_error err;
	uint64_t rows, entries;
	int i;

	if (book_verify_chain(hub, &rows, &entries, &err) != FB_OK)
		fail(w, P_CHAIN, "hub: %s", err.msg);
	for (i = 0; i < w->p->nrep; i++)
		if (book_verify_chain(w->rep[i].b, &rows, &entries, &err) != FB_OK)
			fail(w, P_CHAIN, "replica %d: %s", i, err.msg);
}

/*
 * No two rows of a device overlap; a device's rows are whole (from 1,
 * no holes) on the hub and, for its own device, on a collector.
 */
static void check_sequences(struct world *w, struct book *b, const char *who,
			    int whole_all)
{
	sqlite3_stmt *q = NULL;
	char device[FB_DEVICE_ID_MAX + 1] = "";
	uint64_t next = 1;
	struct fb_error err;

	if (store_prepare(b->st, "SELECT device, seq, n FROM journal ORDER BY device, seq",
			  &q, &err) != FB_OK) {
		fail(w, P_DUP, "%s: %s", who, err.msg);
		return;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *dev = (const char *)sqlite3_column_text(q, 0);
		uint64_t seq = (uint64_t)sqlite3_column_int64(q, 1),
			 n = (uint64_t)sqlite3_column_int64(q, 2);
		int whole = whole_all || !strcmp(dev, b->device);

		if (strcmp(dev, device)) {
			snprintf(device, sizeof(device), "%s", dev);
			next = 1;
		}
		if (n < 1 || seq < next)
			fail(w, P_DUP, "%s: device %s entry %llu (%llu long) overlaps the"
			     " row before, which ends before %llu", who, dev,
			     (unsigned long long)seq, (unsigned long long)n,
			     (unsigned long long)next);
		else if (whole && seq != next)
			fail(w, P_DUP, "%s: device %s entries %llu..%llu are missing", who,
			     dev, (unsigned long long)next, (unsigned long long)seq - 1);
		next = seq + n;
	}
	sqlite3_finalize(q);
}

/* Each collector's rows are the hub's, and it holds all the others'. */
static void check_agreement(struct world *w, struct book *hub)
{
	sqlite3_stmt *q = NULL, *h = NULL;
	struct fb_error err;
	size_t hub_rows, mine;
	int i;

	if (count_rows(hub->st, "SELECT count(*) FROM journal WHERE quarantined <> 0"))
		fail(w, P_AGREE, "the hub quarantined entries");
	if (store_prepare(hub->st, "SELECT hash, n, hlc, body FROM journal WHERE device = ?1"
			  " AND seq = ?2", &h, &err) != FB_OK) {
		fail(w, P_AGREE, "hub: %s", err.msg);
		return;
	}
	for (i = 0; i < w->p->nrep; i++) {
		struct book *b = w->rep[i].b;
		long long acked = -1;
		uint64_t last = 0;
		unsigned char head[JOURNAL_HASH_LEN];

		mine = count_rows(b->st, "SELECT count(*) FROM journal");
		hub_rows = count_rows_of(hub->st, "SELECT count(*) FROM journal"
					 " WHERE branch = ?1", branch_of(w->p, i));
		if (mine != hub_rows)
			fail(w, P_AGREE, "replica %d holds %zu journal rows, the hub %zu of"
			     " its branch", i, mine, hub_rows);
		if (count_rows_of(b->st, "SELECT count(*) FROM journal WHERE branch <> ?1",
				  branch_of(w->p, i)) ||
		    count_rows_of(b->st, "SELECT count(*) FROM record WHERE branch <> ?1",
				  branch_of(w->p, i)))
			fail(w, P_AGREE, "replica %d holds another branch's entries", i);
		if (book_device_head(b, b->device, &last, head, NULL) != FB_OK ||
		    store_meta_int(b->st, "acked_seq", 0, &acked, NULL) != FB_OK)
			fail(w, P_AGREE, "replica %d: its journal head cannot be read", i);
		else if ((uint64_t)acked != last)
			fail(w, P_AGREE, "replica %d: acked_seq %lld, own journal ends at %llu",
			     i, acked, (unsigned long long)last);
		if (store_prepare(b->st, "SELECT device, seq, hash, n, hlc, body FROM journal",
				  &q, &err) != FB_OK) {
			fail(w, P_AGREE, "replica %d: %s", i, err.msg);
			continue;
		}
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *dev = (const char *)sqlite3_column_text(q, 0);
			sqlite3_int64 seq = sqlite3_column_int64(q, 1);

			sqlite3_bind_text(h, 1, dev, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(h, 2, seq);
			if (sqlite3_step(h) != SQLITE_ROW)
				fail(w, P_AGREE, "replica %d holds device %s entry %lld, the hub"
				     " does not", i, dev, (long long)seq);
			else if (sqlite3_column_bytes(h, 0) != JOURNAL_HASH_LEN ||
				 sqlite3_column_bytes(q, 2) != JOURNAL_HASH_LEN ||
				 memcmp(sqlite3_column_blob(h, 0), sqlite3_column_blob(q, 2),
					JOURNAL_HASH_LEN) ||
				 sqlite3_column_int64(h, 1) != sqlite3_column_int64(q, 3) ||
				 sqlite3_column_int64(h, 2) != sqlite3_column_int64(q, 4) ||
				 strcmp((const char *)sqlite3_column_text(h, 3),
					(const char *)sqlite3_column_text(q, 5)))
				fail(w, P_AGREE, "replica %d's device %s entry %lld differs from"
				     " the hub's", i, dev, (long long)seq);
			sqlite3_reset(h);
		}
		sqlite3_finalize(q);
		q = NULL;
	}
	sqlite3_finalize(h);
}

/*
 * DECISIONS.md, settling: an entry written over a conflict's winner by
 * a device that had seen it settles the conflict.  So a conflict still
 * open on a replica has its winner there still, or the winner lost
 * there to a concurrent value (and is logged as a loser).
 */
static void check_settled(struct world *w, struct fb_store *st, const char *who)
{
	sqlite3_stmt *q = NULL;

	if (store_prepare(st, "SELECT c.id, c.record_id, c.field, c.winner_hlc,"
			  " c.winner_device, c.winner_value"
			  " FROM conflict c JOIN record r ON r.id = c.record_id"
			  " WHERE c.resolved = 0 AND c.kind = 'field'"
			  " AND json_extract(r.clk, '$.' || c.field) <>"
			  "  printf('%016x:%s', c.winner_hlc, c.winner_device)"
			  " AND NOT EXISTS (SELECT 1 FROM conflict l WHERE l.record_id = c.record_id"
			  "  AND l.field = c.field AND l.loser_hlc = c.winner_hlc"
			  "  AND l.loser_device = c.winner_device)", &q, NULL) != FB_OK) {
		fail(w, P_SETTLED, "%s: cannot read conflicts", who);
		return;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct fb_stamp win;

		memset(&win, 0, sizeof(win));
		win.hlc = (fb_hlc)sqlite3_column_int64(q, 3);
		snprintf(win.device, sizeof(win.device), "%s", sqlite3_column_text(q, 4));
		/* Replaced, unlogged, by the same value from elsewhere. */
		if (absorbed(w, (const char *)sqlite3_column_text(q, 1),
			     (const char *)sqlite3_column_text(q, 2),
			     (const char *)sqlite3_column_text(q, 5), &win))
			continue;
		fail(w, P_SETTLED, "%s: conflict #%lld on %s.%s is open, but its winner"
		     " %016llx:%s was replaced there by an entry that had seen it", who,
		     sqlite3_column_int64(q, 0), sqlite3_column_text(q, 1),
		     sqlite3_column_text(q, 2), (unsigned long long)win.hlc, win.device);
		break;
	}
	sqlite3_finalize(q);
}

/*
 * docs/MERGE.md, "Delete against edit": on every replica the open
 * delete conflicts are exactly the values of deleted records that the
 * winning delete's writer had not seen (what its replica held as it
 * deleted, note_held()), each against that delete.  So an edit, older
 * or newer, that a delete never saw is logged on every replica whatever
 * the order of arrival, and a restore, a delete that saw it or a later
 * value settles it everywhere.
 */
struct delete_check {
	struct world *w;
	const char *who;
	sqlite3_stmt *q;        /* the open delete conflict of one value */
	size_t unseen;          /* values no winning delete saw */
};

static enum fb_code delete_record(const struct record *r, void *ctx)
{
	struct delete_check *d = ctx;
	const struct type_def *t = model_type(r->type);
	int del = model_field_index(t, FIELD_DELETED), k, unseen, open;
	char st[STAMP_TEXT_MAX], ds[STAMP_TEXT_MAX], a[160];
	const struct write *x;

	if (!record_deleted(r))
		return FB_OK;
	stamp_format(&r->stamp[del], ds);
	x = find_write(d->w, r->id, FIELD_DELETED, &r->stamp[del]);
	if (!x || !x->held) {
		fail(d->w, P_DELETE, "%s: %s is deleted at %s, by no delete an operation"
		     " wrote", d->who, r->id, ds);
		return FB_EINTERNAL;
	}
	for (k = 0; t->fields[k].name; k++) {
		if (k == del || t->fields[k].internal || !r->val[k])
			continue;
		unseen = stamp_cmp(&r->stamp[k], &x->held[k]) > 0;
		sqlite3_bind_text(d->q, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(d->q, 2, t->fields[k].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(d->q, 3, (sqlite3_int64)r->stamp[k].hlc);
		sqlite3_bind_text(d->q, 4, r->stamp[k].device, -1, SQLITE_STATIC);
		sqlite3_bind_int64(d->q, 5, (sqlite3_int64)r->stamp[del].hlc);
		sqlite3_bind_text(d->q, 6, r->stamp[del].device, -1, SQLITE_STATIC);
		open = sqlite3_step(d->q) == SQLITE_ROW;
		sqlite3_reset(d->q);
		d->unseen += unseen;
		if (unseen == open)
			continue;
		stamp_format(&r->stamp[k], st);
		fail(d->w, P_DELETE, "%s: %s.%s = '%s' at %s, which the delete at %s (op %d,"
		     " replica %d) %s, is %s open delete conflict", d->who, r->id,
		     t->fields[k].name, shown(r->val[k], a, sizeof(a)), st, ds, x->op, x->rep,
		     unseen ? "had not seen" : "had seen", open ? "an" : "no");
		return FB_EINTERNAL;
	}
	return FB_OK;
}

static void check_delete_conflicts(struct world *w, struct book *b, const char *who)
{
	struct delete_check d = { w, who, NULL, 0 };
	size_t open;

	if (store_prepare(b->st, "SELECT 1 FROM conflict WHERE kind = 'delete'"
			  " AND resolved = 0 AND record_id = ?1 AND field = ?2"
			  " AND loser_hlc = ?3 AND loser_device = ?4 AND winner_hlc = ?5"
			  " AND winner_device = ?6", &d.q, NULL) != FB_OK) {
		fail(w, P_DELETE, "%s: cannot read conflicts", who);
		return;
	}
	if (book_each(b, REC_NTYPES, 0, 1, delete_record, &d, NULL) == FB_OK) {
		open = count_rows(b->st, "SELECT count(*) FROM conflict WHERE kind = 'delete'"
				  " AND resolved = 0");
		if (open != d.unseen)
			fail(w, P_DELETE, "%s has %zu open delete conflicts, but %zu values"
			     " of deleted records their delete had not seen", who, open,
			     d.unseen);
	}
	sqlite3_finalize(d.q);
}

/*
 * For the report, and to show the case is met: the hub's delete
 * conflicts of an edit older than the delete, by which of the two
 * reached the hub first.
 */
static void count_older_edits(struct world *w, struct book *hub)
{
	sqlite3_stmt *q = NULL;

	if (store_prepare(hub->st, "SELECT (SELECT min(cseq) FROM journal j"
			  "  WHERE j.device = c.loser_device AND j.hlc = c.loser_hlc"
			  "  AND j.record_id = c.record_id) < (SELECT min(cseq) FROM journal j"
			  "  WHERE j.device = c.winner_device AND j.hlc = c.winner_hlc"
			  "  AND j.record_id = c.record_id)"
			  " FROM conflict c WHERE c.kind = 'delete' AND (c.loser_hlc < c.winner_hlc"
			  "  OR (c.loser_hlc = c.winner_hlc AND c.loser_device < c.winner_device))",
			  &q, NULL) != FB_OK)
		return;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_int(q, 0))
			w->out->older_edit_first++;
		else
			w->out->older_delete_first++;
	}
	sqlite3_finalize(q);
}

/*
 * Not a property the project promises (DECISIONS.md: settling is by
 * the winner's stamp), counted for the report: a conflict logged on
 * two replicas, settled on one and open on the other.
 */
static void count_open_disagreements(struct world *w, struct book *hub)
{
	struct fb_store *st[REPLICAS_MAX + 1];
	sqlite3_stmt *q = NULL, *o = NULL;
	int i, j, n = w->p->nrep + 1;

	st[0] = hub->st;
	for (i = 0; i < w->p->nrep; i++)
		st[i + 1] = w->rep[i].b->st;
	for (i = 0; i < n; i++) {
		if (store_prepare(st[i], "SELECT record_id, field, loser_hlc, loser_device"
				  " FROM conflict WHERE resolved = 1", &q, NULL) != FB_OK)
			return;
		while (sqlite3_step(q) == SQLITE_ROW) {
			for (j = 0; j < n; j++) {
				int k;

				if (j == i || store_prepare(st[j], "SELECT 1 FROM conflict WHERE"
						  " record_id = ?1 AND field = ?2 AND loser_hlc = ?3"
						  " AND loser_device = ?4 AND resolved = 0", &o, NULL))
					continue;
				for (k = 0; k < 4; k++)
					sqlite3_bind_value(o, k + 1, sqlite3_column_value(q, k));
				if (sqlite3_step(o) == SQLITE_ROW) {
					if (!w->out->open_disagree++)
						snprintf(w->out->open_msg, sizeof(w->out->open_msg),
							 "seed %llu: conflict %s.%s (loser %016llx:%s)"
							 " settled on %s%d, open on %s%d",
							 (unsigned long long)w->p->seed,
							 sqlite3_column_text(q, 0), sqlite3_column_text(q, 1),
							 (unsigned long long)sqlite3_column_int64(q, 2),
							 sqlite3_column_text(q, 3), i ? "replica " : "hub",
							 i ? i - 1 : 0, j ? "replica " : "hub", j ? j - 1 : 0);
				}
				sqlite3_finalize(o);
				o = NULL;
			}
		}
		sqlite3_finalize(q);
		q = NULL;
	}
}

static void check_all(struct world *w)
{
	struct book *hub = NULL;
	struct fb_error err;
	int i;

	if (book_open(w->hub_path, hub_schema, &hub, &err) != FB_OK) {
		fail(w, P_RUN, "opening the hub: %s", err.msg);
		return;
	}
	check_converged(w, hub);
	check_nothing_lost(w, hub);
	check_invented(w, hub);
	check_chains(w, hub);
	check_sequences(w, hub, "hub", 1);
	for (i = 0; i < w->p->nrep; i++) {
		char who[32];

		snprintf(who, sizeof(who), "replica %d", i);
		check_sequences(w, w->rep[i].b, who, 0);
	}
	check_agreement(w, hub);
	check_settled(w, hub->st, "the hub");
	for (i = 0; i < w->p->nrep; i++) {
		char who[32];

		snprintf(who, sizeof(who), "replica %d", i);
		check_settled(w, w->rep[i].b->st, who);
	}
	check_delete_conflicts(w, hub, "the hub");
	for (i = 0; i < w->p->nrep; i++) {
		char who[32];

		snprintf(who, sizeof(who), "replica %d", i);
		check_delete_conflicts(w, w->rep[i].b, who);
	}
	count_older_edits(w, hub);
	count_open_disagreements(w, hub);
	w->out->conflicts += count_rows(hub->st, "SELECT count(*) FROM conflict");
	book_close(hub);
}

/* --- a seed ------------------------------------------------------------ */

static void run(const struct plan *p, const unsigned char *mask, int tr,
		int keep, struct outcome *out)
{
	struct world *w = calloc(1, sizeof(*w));
	size_t k;
	int i, r;

	memset(out, 0, sizeof(*out));
	if (!w) {
		out->failed = 1u << P_RUN;
		snprintf(out->msg[P_RUN], sizeof(out->msg[P_RUN]), "out of memory");
		return;
	}
	w->p = p;
	w->mask = mask;
	w->out = out;
	w->trace = tr;
	w->now_ms = WORLD_START_MS;
	g_world = w;
	set_clocks(w, 0);
	if (tr) {
		fprintf(g_out, "# seed %llu: %d collectors\n", (unsigned long long)p->seed,
			p->nrep);
		for (i = 0; i < p->nrep; i++)
			fprintf(g_out, "#   r%d: %s, device %s, clock %s, batches of %zu\n", i,
			       branch_of(p, i), p->device[i], clock_names[p->clock[i]],
			       p->push_limit[i]);
	}
	if (setup_hub(w))
		goto out;
	for (i = 0; i < p->nrep; i++)
		if (setup_replica(w, i))
			goto out;
	for (k = 0; k < p->nops && !(out->failed & 1u << P_RUN); k++) {
		if (mask && !mask[k])
			continue;
		w->cur_op = (int)k;
		run_op(w, &p->ops[k]);
		out->ops_done++;
		if (!w->rep[p->ops[k].rep].b)
			goto out;
	}
	if (out->failed & 1u << P_RUN)
		goto out;
	/* Everyone sends and receives everything. */
	trace(w, "final syncs");
	w->cur_op = -1;
	for (r = 0; r < 2; r++)
		for (i = 0; i < p->nrep; i++) {
			w->now_ms += 1000;
			set_clocks(w, 0);
			trace(w, "r%d sync", i);
			if (sync_replica(w, i, p->push_limit[i], SYNC_BATCH_FIRST, 0, 0, 0))
				goto out;
		}
	check_all(w);
out:
	if (w->hub)
		w->hub->ops->close(w->hub);
	for (i = 0; i < p->nrep; i++)
		book_close(w->rep[i].b);
	if (!(out->failed && keep)) {
		for (i = 0; i < p->nrep; i++)
			if (w->rep[i].path[0])
				remove_db(w->rep[i].path);
		if (w->hub_path[0])
			remove_db(w->hub_path);
		if (w->backup_path[0])
			remove_db(w->backup_path);
		for (i = 0; i < p->nrep; i++)
			if (w->rep[i].backup[0])
				remove_db(w->rep[i].backup);
	}
	for (k = 0; k < w->nw; k++) {
		free(w->w[k].value);
		free(w->w[k].held);
	}
	free(w->w);
	free(w);
	g_world = NULL;
}

static int lowest_bit(unsigned x)
{
	int i;

	for (i = 0; i < P_N; i++)
		if (x & (1u << i))
			return i;
	return -1;
}

/*
 * Drop operations while the same property still fails: chunks first,
 * then one at a time, until nothing more can go (or the budget ends).
 */
static void shrink(const struct plan *p, enum prop target, unsigned char *mask)
{
	struct outcome o;
	size_t chunk, k, j, runs = 0;
	int changed = 1;

	memset(mask, 1, p->nops);
	for (chunk = p->nops / 2; chunk >= 1 && runs < SHRINK_RUNS_MAX; chunk /= 2) {
		changed = 1;
		while (changed && runs < SHRINK_RUNS_MAX) {
			changed = 0;
			for (k = 0; k < p->nops && runs < SHRINK_RUNS_MAX; k += chunk) {
				unsigned char save[OPS_MAX];
				size_t any = 0;

				memcpy(save, mask, p->nops);
				for (j = k; j < k + chunk && j < p->nops; j++) {
					any += mask[j];
					mask[j] = 0;
				}
				if (!any)
					continue;
				run(p, mask, 0, 0, &o);
				runs++;
				if (o.failed & (1u << target))
					changed = 1;
				else
					memcpy(mask, save, p->nops);
			}
		}
		if (chunk == 1)
			break;
	}
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	return *end ? def : v;
}

/* One seed's result as a worker sends it. */
struct result {
	long seed;
	struct outcome out;
};

/* PROP_OPS="3,7,12": run only these operations (a shrunk sequence). */
static const unsigned char *only_ops(const char *list)
{
	static unsigned char mask[OPS_MAX];
	const char *s = list;
	char *end;

	if (!list || !*list)
		return NULL;
	memset(mask, 0, sizeof(mask));
	while (*s) {
		long k = strtol(s, &end, 10);

		if (end == s)
			break;
		if (k >= 0 && k < OPS_MAX)
			mask[k] = 1;
		s = *end ? end + 1 : end;
	}
	return mask;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static void run_seed(long seed, struct plan *p, int tr, int keep,
		     struct outcome *out)
{
	make_plan((uint64_t)seed, p);
	run(p, NULL, tr, keep, out);
}

/*
 * Run seeds first..last into res[seed - first], in `jobs` worker
 * processes (each runs every jobs-th seed and sends its results down a
 * pipe).  A seed whose worker died has P_RUN set and says so.
 */
static int run_all(long first, long last, int jobs, int tr, int keep,
		   struct plan *p, struct outcome *res, const unsigned char *mask)
{
	struct pollfd pfd[JOBS_MAX];
	pid_t pid[JOBS_MAX];
	char *got = calloc((size_t)(last - first + 1), 1);
	struct result *buf = malloc(JOBS_MAX * sizeof(*buf));
	size_t have[JOBS_MAX];
	long seed;
	int j, open_fds = 0, bad = 0;

	if (jobs <= 1 || !got || !buf) {
		for (seed = first; seed <= last; seed++) {
			make_plan((uint64_t)seed, p);
			run(p, mask, tr, keep, &res[seed - first]);
		}
		free(got);
		free(buf);
		return 0;
	}
	fflush(stdout);
	fflush(stderr);
	for (j = 0; j < jobs; j++) {
		int fd[2];

		pid[j] = -1;
		pfd[j].fd = -1;
		pfd[j].events = POLLIN;
		have[j] = 0;
		if (pipe(fd))
			continue;
		pid[j] = fork();
		if (pid[j] == 0) {
			struct result *r = malloc(sizeof(*r));
			int k, ok = r != NULL;

			close(fd[0]);
			for (k = 0; k < j; k++)
				if (pfd[k].fd >= 0)
					close(pfd[k].fd);
			for (seed = first + j; ok && seed <= last; seed += jobs) {
				memset(r, 0, sizeof(*r));
				r->seed = seed;
				run_seed(seed, p, 0, keep, &r->out);
				ok = write_all(fd[1], r, sizeof(*r)) == 0;
			}
			close(fd[1]);
			free(r);
			free(p);
			free(g_batch);
			free(got);
			free(buf);
			exit(ok ? 0 : 1);
		}
		close(fd[1]);
		if (pid[j] < 0) {
			close(fd[0]);
			continue;
		}
		pfd[j].fd = fd[0];
		open_fds++;
	}
	while (open_fds > 0) {
		if (poll(pfd, (nfds_t)jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (j = 0; j < jobs; j++) {
			ssize_t n;

			if (pfd[j].fd < 0 || !(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pfd[j].fd, (char *)&buf[j] + have[j], sizeof(buf[j]) - have[j]);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(pfd[j].fd);
				pfd[j].fd = -1;
				open_fds--;
				continue;
			}
			have[j] += (size_t)n;
			if (have[j] < sizeof(buf[j]))
				continue;
			have[j] = 0;
			if (buf[j].seed >= first && buf[j].seed <= last) {
				res[buf[j].seed - first] = buf[j].out;
				got[buf[j].seed - first] = 1;
			}
		}
	}
	for (j = 0; j < jobs; j++) {
		int status = 0;

		if (pid[j] > 0 && waitpid(pid[j], &status, 0) == pid[j] &&
		    (!WIFEXITED(status) || WEXITSTATUS(status)) && ++bad)
			fprintf(stderr, "# worker %d ended with status %d%s%d\n", j,
				WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				WIFSIGNALED(status) ? ", signal " : "",
				WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	/* What a dead worker did not send, run here: a crash shows itself. */
	for (seed = first; seed <= last; seed++)
		if (!got[seed - first]) {
			fprintf(stderr, "# running seed %ld in the main process (replay it"
				" alone with PROP_SEED=%ld)\n", seed, seed);
			run_seed(seed, p, 0, keep, &res[seed - first]);
		}
	free(got);
	free(buf);
	return bad;
}

int main(int argc, char **argv)
{
	long nseeds = env_long("PROP_SEEDS", SEEDS_DEFAULT);
	long one = env_long("PROP_SEED", -1);
	int verbose = env_long("PROP_VERBOSE", 0) != 0;
	int tr = env_long("PROP_TRACE", 0) != 0;
	int keep = env_long("PROP_KEEP", 0) != 0;
	int do_shrink = env_long("PROP_SHRINK", 1) != 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = (int)env_long("PROP_JOBS", ncpu < 1 ? 1 : ncpu > JOBS_MAX ? JOBS_MAX : ncpu);
	char dirbuf[512];
	const char *base = getenv("PROP_DIR");
	struct plan *p = malloc(sizeof(*p));
	struct outcome out, total, *res = NULL;
	unsigned long fails[P_N] = { 0 };
	long seed, first, last, ran = 0, shown_fails = 0, first_failing = -1;
	long ran_restored = 0, failed_restored = 0, first_restored = -1;
	long ran_laptop = 0, failed_laptop = 0;
	unsigned first_failed = 0, first_restored_failed = 0;
	int tap = 0, failed_any = 0, k;

	g_batch = calloc(SYNC_BATCH_MAX, sizeof(*g_batch));
	if (!p || !g_batch) {
		free(p);
		free(g_batch);
		return 70;
	}
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm"
			: getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(dirbuf, sizeof(dirbuf), "%s/fb-prop.XXXXXX", base);
	if (!mkdtemp(dirbuf)) {
		printf("1..0 # SKIP cannot make a directory under %s\n", base);
		free(p);
		free(g_batch);
		return 0;
	}
	g_dir = dirbuf;
	g_out = stdout;
	g_hub_restore = env_long("PROP_HUB_RESTORE", 1) != 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	first = one >= 0 ? one : 1;
	last = one >= 0 ? one : nseeds;
	if (jobs > JOBS_MAX)
		jobs = JOBS_MAX;
	if (last < first || !(res = calloc((size_t)(last - first + 1), sizeof(*res)))) {
		printf("1..0 # SKIP no seeds to run\n");
		rmdir(dirbuf);
		free(p);
		free(g_batch);
		return 0;
	}
	memset(&total, 0, sizeof(total));
	printf("# %ld seed%s, databases in %s, %d worker%s\n", last - first + 1,
	       last == first ? "" : "s", dirbuf, one >= 0 ? 1 : jobs,
	       one >= 0 || jobs == 1 ? "" : "s");
	/* A worker that failed (a sanitizer's leak report, say) fails the run. */
	if (run_all(first, last, one >= 0 ? 1 : jobs, tr && one >= 0, keep, p, res,
		    one >= 0 ? only_ops(getenv("PROP_OPS")) : NULL)) {
		fails[P_RUN]++;
		failed_any = 1;
	}
	for (seed = first; seed <= last; seed++) {
		out = res[seed - first];
		if (out.restored)
			ran_restored++;
		else
			ran++;
		if (out.laptop_restores) {
			ran_laptop++;
			failed_laptop += out.failed != 0;
		}
		total.laptop_restores += out.laptop_restores;
		total.forks += out.forks;
		total.redated += out.redated;
		total.ops_done += out.ops_done;
		total.writes += out.writes;
		total.current += out.current;
		total.logged += out.logged;
		total.superseded += out.superseded;
		total.absorbed += out.absorbed;
		total.conflicts += out.conflicts;
		total.syncs += out.syncs;
		total.replays += out.replays;
		total.relayed += out.relayed;
		total.older_delete_first += out.older_delete_first;
		total.older_edit_first += out.older_edit_first;
		if (out.open_disagree && !total.open_disagree)
			snprintf(total.open_msg, sizeof(total.open_msg), "%s", out.open_msg);
		total.open_disagree += out.open_disagree;
		for (k = 0; k < P_N && !out.restored; k++)
			if (out.failed & (1u << k))
				fails[k]++;
		if (verbose)
			printf("%sok %d - seed %ld\n", out.failed ? "not " : "", ++tap, seed);
		if (!out.failed)
			continue;
		failed_any = 1;
		if (out.restored) {
			failed_restored++;
			if (first_restored < 0) {
				first_restored = seed;
				first_restored_failed = out.failed;
			}
		} else if (first_failing < 0) {
			first_failing = seed;
			first_failed = out.failed;
		}
		if (shown_fails++ < FAILED_SHOWN) {
			fprintf(stderr, "# failing seed: %ld%s; replay with PROP_SEED=%ld"
				" PROP_TRACE=1 %s\n", seed,
				out.restored ? " (the hub was restored from a backup)" : "", seed,
				argc > 0 ? argv[0] : "test_converge");
			for (k = 0; k < P_N; k++)
				if (out.failed & (1u << k))
					fprintf(stderr, "#   %s: %s\n", prop_names[k], out.msg[k]);
			if (keep)
				fprintf(stderr, "#   databases kept in %s/s%ld-*.db\n", dirbuf, seed);
		}
	}
	printf("%sok %d - %ld seeds ran their operations and syncs without an unexpected"
	       " error\n", fails[P_RUN] ? "not " : "", ++tap, ran - (long)fails[P_RUN]);
	printf("%sok %d - %ld seeds converged: every collector holds the hub's records\n",
	       fails[P_CONVERGE] ? "not " : "", ++tap, ran - (long)fails[P_CONVERGE]);
	printf("%sok %d - no value lost in %ld seeds\n",
	       fails[P_LOST] ? "not " : "", ++tap, ran - (long)fails[P_LOST]);
	printf("%sok %d - every replica holds or logs every value not knowingly replaced,"
	       " in %ld seeds\n", fails[P_LOGGED] ? "not " : "", ++tap,
	       ran - (long)fails[P_LOGGED]);
	printf("%sok %d - no value invented in %ld seeds (records and conflict logs)\n",
	       fails[P_INVENTED] ? "not " : "", ++tap, ran - (long)fails[P_INVENTED]);
	printf("%sok %d - every entry is stamped after its base in %ld seeds\n",
	       fails[P_CAUSAL] ? "not " : "", ++tap, ran - (long)fails[P_CAUSAL]);
	printf("%sok %d - open conflicts were not settled by a later edit in %ld seeds\n",
	       fails[P_SETTLED] ? "not " : "", ++tap, ran - (long)fails[P_SETTLED]);
	printf("%sok %d - every replica's open delete conflicts are exactly the values"
	       " their delete had not seen, in %ld seeds\n", fails[P_DELETE] ? "not " : "",
	       ++tap, ran - (long)fails[P_DELETE]);
	if (ran < COVERAGE_SEEDS) {
		printf("ok %d # SKIP whether an older edit met a later delete is judged"
		       " over %d seeds or more\n", ++tap, COVERAGE_SEEDS);
	} else {
		int met = total.older_delete_first && total.older_edit_first;

		printf("%sok %d - an edit older than a delete that had not seen it was"
		       " logged with the delete first at the hub (%zu times) and with the"
		       " edit first (%zu times)\n", met ? "" : "not ", ++tap,
		       total.older_delete_first, total.older_edit_first);
		failed_any |= !met;
	}
	if (ran < COVERAGE_SEEDS) {
		printf("ok %d # SKIP whether fast entries were dated again is judged over %d"
		       " seeds or more\n", ++tap, COVERAGE_SEEDS);
	} else {
		printf("%sok %d - entries saved while a clock ran a day fast were dated again"
		       " once it was right (%zu changes), and every property above held\n",
		       total.redated ? "" : "not ", ++tap, total.redated);
		failed_any |= !total.redated;
	}
	printf("%sok %d - hash chains verify on every replica in %ld seeds\n",
	       fails[P_CHAIN] ? "not " : "", ++tap, ran - (long)fails[P_CHAIN]);
	printf("%sok %d - no duplicate or missing (device, seq) in %ld seeds\n",
	       fails[P_DUP] ? "not " : "", ++tap, ran - (long)fails[P_DUP]);
	printf("%sok %d - every collector's journal agrees with the hub's in %ld seeds\n",
	       fails[P_AGREE] ? "not " : "", ++tap, ran - (long)fails[P_AGREE]);
	printf("%sok %d - %ld of %ld seeds where the hub was restored from a backup hold"
	       " every property above\n", failed_restored ? "not " : "", ++tap,
	       ran_restored - failed_restored, ran_restored);
	printf("%sok %d - %ld of %ld seeds where a laptop was restored from an older copy"
	       " hold every property above (%d restores; %d laptops went on under a new"
	       " device id)\n", failed_laptop ? "not " : "", ++tap, ran_laptop - failed_laptop,
	       ran_laptop, total.laptop_restores, total.forks);
	for (k = 0; k < P_N; k++)
		if (fails[k])
			fprintf(stderr, "# %lu seed%s failed %s\n", fails[k], fails[k] == 1 ? "" : "s",
			       prop_names[k]);
	printf("# %zu operations, %zu syncs (%zu entries resent, %zu changes of other"
	       " devices sent back to a restored hub), %zu values written:"
	       " %zu current, %zu in a conflict log, %zu knowingly overwritten,"
	       " %zu lost to an equal value; %zu conflicts logged on hubs\n",
	       total.ops_done, total.syncs, total.replays, total.relayed, total.writes,
	       total.current,
	       total.logged, total.superseded, total.absorbed, total.conflicts);
	if (total.open_disagree)
		printf("# note: %zu conflicts settled on one replica are open on another;"
		       " first: %s\n", total.open_disagree, total.open_msg);
	/* Shrink a failure of the core properties first. */
	if (first_failing < 0) {
		first_failing = first_restored;
		first_failed = first_restored_failed;
	}
	if (first_failing >= 0 && do_shrink) {
		unsigned char mask[OPS_MAX];
		enum prop target = (enum prop)lowest_bit(first_failed);
		size_t kept = 0, i;

		make_plan((uint64_t)first_failing, p);
		shrink(p, target, mask);
		for (i = 0; i < p->nops; i++)
			kept += mask[i];
		fprintf(stderr, "# seed %ld shrunk to %zu of %zu operations (%s still"
			" fails); replay with PROP_SEED=%ld PROP_OPS=", first_failing, kept,
			p->nops, prop_names[target], first_failing);
		for (i = 0, k = 0; i < p->nops; i++)
			if (mask[i])
				fprintf(stderr, "%s%zu", k++ ? "," : "", i);
		fputc('\n', stderr);
		g_out = stderr;
		run(p, mask, 1, keep, &out);
	}
	printf("1..%d\n", tap);
	rmdir(dirbuf);
	free(res);
	free(p);
	free(g_batch);
	return failed_any ? 1 : 0;
}
