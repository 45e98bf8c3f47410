/*
 * hub_store_plan.h - the hub's unit tree planned in memory, shared by
 * the stores (hub_store_units.c on SQLite, hub_store_pg.c): a store
 * reads the units it holds into a plan, lays the units a command gives
 * over it, and writes what the plan says changed, all in one
 * transaction of its own.  hub_store.h says what put_units, remove_unit
 * and unit_tree promise; this is how both stores keep the promise alike.
 *
 *   hub_plan_new(n, &p);
 *   hub_plan_held(p, code, parent, level, name);    each unit held
 *   hub_plan_lay(p, units, n, mode, top, out, err); faults into out
 *   hub_plan_write(p, write_fn, ctx, out);          when it laid them all
 *   hub_plan_free(p);
 */
#ifndef FB_HUB_STORE_PLAN_H
#define FB_HUB_STORE_PLAN_H

#include <stddef.h>
#include "error.h"
#include "hub_store.h"

struct hub_plan;

/* An empty plan with room for about `hint` units; FB_ENOMEM. */
enum fb_code hub_plan_new(size_t hint, struct hub_plan **out) FB_MUST_CHECK;
void hub_plan_free(struct hub_plan *p);

/* A unit the hub holds (parent NULL: its top).  The strings are copied.
 * FB_ENOMEM only. */
enum fb_code hub_plan_held(struct hub_plan *p, const char *code, const char *parent,
			   const char *level, const char *name) FB_MUST_CHECK;

/* Lay u[0..n) over the units held as mode says, and check each against
 * the tree that results; each refused unit is a fault in out (its
 * counts untouched), and the first of them the error (its code and
 * message), so that nothing is written.  top is the hub's own unit.
 * The plan keeps pointers into u: u outlives it.  Else FB_ENOMEM. */
enum fb_code hub_plan_lay(struct hub_plan *p, const struct hub_unit *u, size_t n,
			  enum hub_units_mode mode, const char *top,
			  struct hub_units_outcome *out, struct fb_error *err) FB_MUST_CHECK;

/* Write one unit: is_new, insert it; else update its parent and name. */
typedef enum fb_code (*hub_plan_write_fn)(void *ctx, const char *code, const char *parent,
					  const char *level, const char *name, int is_new);

/* fn for every unit the laid plan adds or changes, counting them (and
 * those given unchanged) into out; fn's failure stops it. */
enum fb_code hub_plan_write(struct hub_plan *p, hub_plan_write_fn fn, void *ctx,
			    struct hub_units_outcome *out) FB_MUST_CHECK;

/* The `n` live tokens enrolled at unit, for hub_plan_walk's counts. */
void hub_plan_devices(struct hub_plan *p, const char *unit, size_t n);

/* fn for root (NULL: top) and every unit below it in tree order, as
 * hub_store.h's unit_tree says, from the units held.  FB_ENOENT: no
 * unit root. */
enum fb_code hub_plan_walk(struct hub_plan *p, const char *root, const char *top,
			   hub_tree_fn fn, void *ctx, struct fb_error *err) FB_MUST_CHECK;

/* FB_OK when unit code may be removed, given the counts a store read:
 * units of that code (0: FB_ENOENT), units under it, devices enrolled
 * for it, records of it; FB_EINVAL naming every reason otherwise, and
 * for the hub's own unit top. */
enum fb_code hub_unit_removable(const char *code, const char *top, long long units,
				long long children, long long devices, long long records,
				struct fb_error *err) FB_MUST_CHECK;

#endif
