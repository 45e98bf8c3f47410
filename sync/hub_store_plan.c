/*
 * hub_store_plan.c - the unit tree planned in memory, whichever store
 * holds it: add, import, rename and move checked whole before anything
 * is written, the reasons a unit cannot be removed, and the tree in
 * order for `unit list`.
 *
 * A change of the tree is planned whole in memory before anything is
 * written: every unit the hub holds is read once into a table by code
 * (hub_plan_held), the units given are laid over it, and each is checked
 * against the tree that would result (its parent there, the levels'
 * rule, no unit under its own descendant).  Only a plan with no fault is
 * written, in the one transaction it was read in; a plan that changes
 * nothing writes nothing.  A country's ~11,000 units are one read, one
 * pass of checks and one statement per changed unit.  The stores
 * (hub_store_units.c on SQLite, hub_store_pg.c) only read and write.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_plan.h"
#include "model.h"

/* One unit of the planned tree. */
struct unode {
	char *code, *level;                     /* owned */
	const char *parent, *name;              /* as planned (parent NULL: the
						   top): the strings read, or
						   the caller's */
	const char *held_parent, *held_name;    /* as held (NULL: new) */
	char *read_parent, *read_name;          /* the strings read, owned */
	int held;                               /* in the unit table already */
	size_t row;                             /* 1 + index of the unit given, or 0 */
	size_t devices;                         /* unit_tree: live tokens enrolled here */
	size_t first_child, next_sibling;       /* unit_tree: 1 + index, or 0 */
};

/* The units by code: open addressing over a power-of-two table. */
struct hub_plan {
	struct unode *u;
	size_t n, cap;
	size_t *slot;                           /* 1 + index, or 0: empty */
	size_t nslots;
	unsigned char *early;                   /* hub_plan_lay: per unit given */
	size_t *twice;
};

static uint64_t code_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The slot of code: the unit's, or the empty one it would take. */
static size_t *utable_slot(struct hub_plan *t, const char *code)
{
	size_t i = (size_t)code_hash(code) & (t->nslots - 1);

	while (t->slot[i] && strcmp(t->u[t->slot[i] - 1].code, code))
		i = (i + 1) & (t->nslots - 1);
	return &t->slot[i];
}

static struct unode *utable_find(struct hub_plan *t, const char *code)
{
	size_t *s;

	if (!code || !t->nslots)
		return NULL;
	s = utable_slot(t, code);
	return *s ? &t->u[*s - 1] : NULL;
}

/* Room for `more` units; the slots kept under half full. */
static enum fb_code utable_reserve(struct hub_plan *t, size_t more)
{
	size_t need = t->n + more, i;

	if (need > t->cap) {
		size_t cap = t->cap ? t->cap : 64;
		struct unode *u;

		while (cap < need)
			cap *= 2;
		if (!(u = realloc(t->u, cap * sizeof(*u))))
			return FB_ENOMEM;
		t->u = u;
		t->cap = cap;
	}
	if (need * 2 > t->nslots) {
		size_t n = t->nslots ? t->nslots : 128, *old = t->slot, oldn = t->nslots;

		while (n < need * 2)
			n *= 2;
		if (!(t->slot = calloc(n, sizeof(*t->slot)))) {
			t->slot = old;
			return FB_ENOMEM;
		}
		t->nslots = n;
		for (i = 0; i < oldn; i++)
			if (old[i])
				*utable_slot(t, t->u[old[i] - 1].code) = old[i];
		free(old);
	}
	return FB_OK;
}

/* Add a unit (its code not in t); the strings are copied. */
static struct unode *utable_add(struct hub_plan *t, const char *code, const char *parent,
				const char *level, const char *name)
{
	struct unode *u;

	if (utable_reserve(t, 1) != FB_OK)
		return NULL;
	u = &t->u[t->n];
	memset(u, 0, sizeof(*u));
	u->code = strdup(code);
	u->level = strdup(level ? level : "");
	u->read_name = strdup(name ? name : "");
	u->read_parent = parent ? strdup(parent) : NULL;
	if (!u->code || !u->level || !u->read_name || (parent && !u->read_parent)) {
		free(u->code);
		free(u->level);
		free(u->read_name);
		free(u->read_parent);
		return NULL;
	}
	*utable_slot(t, code) = ++t->n;
	return u;
}

static void utable_release(struct hub_plan *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct unode *u = &t->u[i];

		free(u->read_parent);
		free(u->read_name);
		free(u->code);
		free(u->level);
	}
	free(t->u);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

enum fb_code hub_plan_new(size_t hint, struct hub_plan **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return FB_ENOMEM;
	if (utable_reserve(*out, hint) != FB_OK) {
		hub_plan_free(*out);
		*out = NULL;
		return FB_ENOMEM;
	}
	return FB_OK;
}

void hub_plan_free(struct hub_plan *p)
{
	if (!p)
		return;
	free(p->early);
	free(p->twice);
	utable_release(p);
	free(p);
}

enum fb_code hub_plan_held(struct hub_plan *t, const char *code, const char *parent,
			   const char *level, const char *name)
{
	struct unode *u = utable_add(t, code, parent, level, name);

	if (!u)
		return FB_ENOMEM;
	u->held = 1;
	u->parent = u->read_parent;
	u->name = u->read_name;
	u->held_parent = u->read_parent;
	u->held_name = u->read_name;
	return FB_OK;
}

/* The levels a unit of `level` may sit under, for messages. */
static const char *parents_of(const char *level)
{
	if (!strcmp(level, "province"))
		return "the centre (central)";
	if (!strcmp(level, "district"))
		return "a province";
	if (!strcmp(level, "commune"))
		return "a district or directly under a province";
	if (!strcmp(level, "branch"))
		return "a commune";
	return "no unit: it is only ever a hub's own unit";
}

/* Why a unit given is refused, found while laying it over the tree. */
enum early_fault { EARLY_NONE, EARLY_TWICE, EARLY_EXISTS, EARLY_UNKNOWN, EARLY_LEVEL,
		   EARLY_NO_PARENT, EARLY_TOP_MOVE };

static void add_fault(struct hub_units_outcome *out, size_t index, enum fb_code code,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_fault(struct hub_units_outcome *out, size_t index, enum fb_code code,
		      const char *fmt, ...)
{
	struct fb_error e;
	va_list ap;
	char msg[FB_ERRMSG_MAX];

	if (out->nfaults++ >= HUB_UNIT_FAULTS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fb_fail(&e, code, "%s", msg);   /* cut to whole characters */
	out->fault[out->nfaults - 1].index = index;
	out->fault[out->nfaults - 1].code = code;
	memcpy(out->fault[out->nfaults - 1].msg, e.msg, sizeof(e.msg));
}

/* " (line N)" for a unit read from a file, "" for one from arguments. */
static void where(const struct hub_unit *u, char *out, size_t size)
{
	if (u->line)
		snprintf(out, size, " (line %lu)", u->line);
	else
		out[0] = '\0';
}

/*
 * Lay unit i over the tree: the planned values of its node, or in
 * *early why it is refused.  FB_ENOMEM is the only failure.
 */
static enum fb_code lay(struct hub_plan *t, const struct hub_unit *u, size_t i,
			enum hub_units_mode mode, const char *top, unsigned char *early,
			size_t *twice)
{
	struct unode *n = utable_find(t, u->code);
	int is_top = n && !strcmp(n->code, top);

	*early = EARLY_NONE;
	if (n && n->row) {
		*twice = n->row - 1;
		*early = EARLY_TWICE;
	} else if (mode == HUB_UNITS_ADD && n) {
		*early = EARLY_EXISTS;
	} else if (mode == HUB_UNITS_CHANGE && !n) {
		*early = EARLY_UNKNOWN;
	} else if (n && u->level && strcmp(n->level, u->level)) {
		*early = EARLY_LEVEL;
	} else if (mode != HUB_UNITS_CHANGE && !u->parent && !is_top) {
		*early = EARLY_NO_PARENT;
	} else if (is_top && mode == HUB_UNITS_CHANGE && u->parent) {
		*early = EARLY_TOP_MOVE;
	}
	if (*early != EARLY_NONE)
		return FB_OK;
	if (!n) {
		if (!(n = utable_add(t, u->code, u->parent, u->level, u->name)))
			return FB_ENOMEM;
		n->parent = n->read_parent;
		n->name = n->read_name;
	} else {
		/* The top's parent column (an import of a wider list) is not
		 * read: it sits under nothing in this hub. */
		if (u->parent && !is_top)
			n->parent = u->parent;
		if (u->name)
			n->name = u->name;
	}
	n->row = i + 1;
	return FB_OK;
}

/* The checks of unit i against the planned tree; a fault is noted. */
static void check(struct hub_plan *t, const struct hub_unit *units, size_t i,
		  enum early_fault early, size_t twice, const char *top,
		  struct hub_units_outcome *out)
{
	const struct hub_unit *u = &units[i];
	struct unode *n = utable_find(t, u->code), *p, *up;
	char at[32];
	size_t steps;

	switch (early) {
	case EARLY_TWICE:
		where(&units[twice], at, sizeof(at));
		add_fault(out, i, FB_EINVAL, "unit %s is given twice: here and before%s",
			  u->code, at);
		return;
	case EARLY_EXISTS:
		add_fault(out, i, FB_EEXIST, "unit %s exists already", u->code);
		return;
	case EARLY_UNKNOWN:
		add_fault(out, i, FB_ENOENT, "no unit %s", u->code);
		return;
	case EARLY_LEVEL:
		add_fault(out, i, FB_EINVAL, "unit %s is a %s: a unit's level does not change"
			  " (remove it and add it again as a %s)", u->code, n->level, u->level);
		return;
	case EARLY_NO_PARENT:
		add_fault(out, i, FB_EINVAL, "unit %s needs a parent", u->code);
		return;
	case EARLY_TOP_MOVE:
		add_fault(out, i, FB_EINVAL, "unit %s is this hub's own unit: it sits under"
			  " no other here", u->code);
		return;
	case EARLY_NONE:
		break;
	}
	if (!strcmp(n->code, top))
		return;
	if (!n->parent) {
		add_fault(out, i, FB_EINVAL, "unit %s needs a parent", n->code);
		return;
	}
	if (!strcmp(n->parent, n->code)) {
		add_fault(out, i, FB_EINVAL, "unit %s cannot sit under itself", n->code);
		return;
	}
	if (!(p = utable_find(t, n->parent))) {
		add_fault(out, i, FB_ENOENT, "no parent unit %s", n->parent);
		return;
	}
	if (!model_level_holds(p->level, n->level)) {
		add_fault(out, i, FB_EINVAL, "a %s sits under %s, not under a %s (%s)",
			  n->level, parents_of(n->level), p->level, p->code);
		return;
	}
	/* Moved under its own descendant?  The walk up ends at the top,
	 * or at a unit whose parent is not held (checked on its own). */
	for (up = p, steps = 0; up && steps <= t->n; steps++) {
		if (up == n) {
			add_fault(out, i, FB_EINVAL, "unit %s is below %s: a unit cannot move"
				  " under its own descendant", p->code, n->code);
			return;
		}
		up = up->parent ? utable_find(t, up->parent) : NULL;
	}
}

static int differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

enum fb_code hub_plan_lay(struct hub_plan *t, const struct hub_unit *u, size_t n,
			  enum hub_units_mode mode, const char *top,
			  struct hub_units_outcome *out, struct fb_error *err)
{
	size_t i;

	free(t->early);
	free(t->twice);
	t->early = calloc(n ? n : 1, 1);
	t->twice = calloc(n ? n : 1, sizeof(*t->twice));
	if (!t->early || !t->twice || utable_reserve(t, n) != FB_OK)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (lay(t, &u[i], i, mode, top, &t->early[i], &t->twice[i]) != FB_OK)
			return fb_fail(err, FB_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		check(t, u, i, (enum early_fault)t->early[i], t->twice[i], top, out);
	if (out->nfaults)
		return fb_fail(err, out->fault[0].code, "%s", out->fault[0].msg);
	return FB_OK;
}

enum fb_code hub_plan_write(struct hub_plan *t, hub_plan_write_fn fn, void *ctx,
			    struct hub_units_outcome *out)
{
	enum fb_code rc = FB_OK;
	size_t i;

	for (i = 0; rc == FB_OK && i < t->n; i++) {
		struct unode *n = &t->u[i];
		int moved = n->held && differ(n->parent, n->held_parent);
		int renamed = n->held && differ(n->name, n->held_name);

		if (!n->row)
			continue;
		if (n->held && !moved && !renamed) {
			out->unchanged++;
			continue;
		}
		rc = fn(ctx, n->code, n->parent, n->level, n->name, !n->held);
		out->added += !n->held;
		out->moved += moved;
		out->renamed += renamed;
	}
	return rc;
}

enum fb_code hub_unit_removable(const char *code, const char *top, long long units,
				long long children, long long devices, long long records,
				struct fb_error *err)
{
	char why[FB_ERRMSG_MAX] = "";
	size_t len = 0;

	if (!units)
		return fb_fail(err, FB_ENOENT, "no unit %s", code);
	if (top && !strcmp(top, code))
		return fb_fail(err, FB_EINVAL, "unit %s is this hub's own unit; nothing was"
			       " removed", code);
	if (records)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%lld record%s",
					len ? ", " : "", records, records == 1 ? "" : "s");
	if (devices)
		len += (size_t)snprintf(why + len, sizeof(why) - len,
					"%s%lld device%s enrolled for it (revoked ones count:"
					" their rows keep its history)", len ? ", " : "", devices,
					devices == 1 ? "" : "s");
	if (children)
		snprintf(why + len, sizeof(why) - len, "%s%lld unit%s under it",
			 len ? ", " : "", children, children == 1 ? "" : "s");
	if (*why)
		return fb_fail(err, FB_EINVAL, "unit %s has %s; nothing was removed", code, why);
	return FB_OK;
}

void hub_plan_devices(struct hub_plan *t, const char *unit, size_t n)
{
	struct unode *u = utable_find(t, unit);

	if (u)
		u->devices = n;
}

static int by_code(const void *a, const void *b)
{
	const struct unode *x = *(const struct unode *const *)a;
	const struct unode *y = *(const struct unode *const *)b;

	return strcmp(x->code, y->code);
}

/* Link each unit to its children, in the order of their codes. */
static enum fb_code link_children(struct hub_plan *t)
{
	struct unode **sorted = malloc((t->n ? t->n : 1) * sizeof(*sorted));
	size_t i;

	if (!sorted)
		return FB_ENOMEM;
	for (i = 0; i < t->n; i++)
		sorted[i] = &t->u[i];
	qsort(sorted, t->n, sizeof(*sorted), by_code);
	/* Backwards, each pushed in front: the lists come out in order. */
	for (i = t->n; i-- > 0;) {
		struct unode *p = utable_find(t, sorted[i]->parent);

		if (!p)
			continue;
		sorted[i]->next_sibling = p->first_child;
		p->first_child = (size_t)(sorted[i] - t->u) + 1;
	}
	free(sorted);
	return FB_OK;
}

/* A unit's place in the walk: its node, depth and counts so far. */
struct frame {
	size_t node;                    /* index into the table */
	size_t child;                   /* 1 + index of the next child to visit, or 0 */
	int depth;
	size_t branches, devices;
};

/*
 * The subtree of root in tree order, each with the counts below it.  The
 * counts are known only after a unit's subtree is walked, so the walk
 * records the order first and emits after; a unit reached twice (a
 * cycle left by an old version) is not walked again.
 */
enum fb_code hub_plan_walk(struct hub_plan *p, const char *root, const char *top,
			   hub_tree_fn fn, void *ctx, struct fb_error *err)
{
	struct hub_plan *t = p;
	struct frame *stack = NULL;
	size_t *order = NULL, norder = 0, depth = 0, i;
	size_t *branches = NULL, *devices = NULL;
	int *depths = NULL;
	unsigned char *seen = NULL;
	struct unode *r;
	enum fb_code rc = FB_OK;

	if (!(r = utable_find(t, root ? root : top))) {
		rc = fb_fail(err, FB_ENOENT, "no unit %s", root ? root : top ? top : "");
		goto out;
	}
	stack = malloc(t->n * sizeof(*stack));
	order = malloc(t->n * sizeof(*order));
	branches = calloc(t->n, sizeof(*branches));
	devices = calloc(t->n, sizeof(*devices));
	depths = calloc(t->n, sizeof(*depths));
	seen = calloc(t->n, 1);
	if (!stack || !order || !branches || !devices || !depths || !seen ||
	    link_children(t) != FB_OK) {
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto out;
	}
	stack[0] = (struct frame){ (size_t)(r - t->u), r->first_child, 0, 0, 0 };
	seen[stack[0].node] = 1;
	order[norder++] = stack[0].node;
	depth = 1;
	while (depth > 0) {
		struct frame *f = &stack[depth - 1];
		struct unode *n = &t->u[f->node];

		if (f->child) {
			size_t c = f->child - 1;

			f->child = t->u[c].next_sibling;
			if (seen[c])
				continue;
			seen[c] = 1;
			order[norder++] = c;
			stack[depth++] = (struct frame){ c, t->u[c].first_child, f->depth + 1,
							 0, 0 };
			continue;
		}
		/* Its subtree is walked: its counts are whole. */
		f->branches += !strcmp(n->level, "branch");
		f->devices += n->devices;
		branches[f->node] = f->branches;
		devices[f->node] = f->devices;
		depths[f->node] = f->depth;
		if (--depth > 0) {
			stack[depth - 1].branches += f->branches;
			stack[depth - 1].devices += f->devices;
		}
	}
	for (i = 0; rc == FB_OK && i < norder; i++) {
		const struct unode *n = &t->u[order[i]];
		struct hub_tree_row row = { n->code, n->parent, n->level, n->name,
					    depths[order[i]], branches[order[i]],
					    devices[order[i]] };

		rc = fn(&row, ctx);
	}
	if (rc == FB_ENOMEM && !err->msg[0])
		fb_fail(err, rc, "out of memory");
out:
	free(stack);
	free(order);
	free(branches);
	free(devices);
	free(depths);
	free(seen);
	return rc;
}
