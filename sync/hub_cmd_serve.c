/* hub_cmd_serve.c - fieldbook-hub serve: run the HTTP endpoint. */
#include <malloc.h>
#include <stdio.h>
#include <sqlite3.h>

#include "hub_cmd.h"
#include "hub_http.h"

enum fb_code hub_cmd_serve(struct hub_cli *c)
{
	struct hub_serve_config cfg = { "127.0.0.1:8470", NULL, NULL, NULL };
	const struct hub_opt opts[] = {
		{ "listen", 1, &cfg.listen }, { "tls-cert", 1, &cfg.tls_cert },
		{ "tls-key", 1, &cfg.tls_key }, { "port-file", 1, &cfg.port_file },
		{ NULL, 0, NULL }
	};
	struct hub_store *store = NULL;
	struct book *b = NULL;
	int first;
	enum fb_code rc;

	if ((rc = hub_parse(c, opts, &first)) != FB_OK || first < 0)
		return rc;
	if (first < c->argc)
		return hub_usage(c, "unexpected argument '%s'", c->argv[first]);
	/* Refuse a database that init did not make. */
	if ((rc = hub_open(c, &b)) != FB_OK)
		return rc;
	book_close(b);
	/*
	 * A push decodes thousands of changes into small blocks and frees
	 * them all when it answers.  Left to its defaults, malloc hands the
	 * freed top of each thread's heap back to the kernel and faults it
	 * in again on the next push (9% of a push in a profile): keep up to
	 * HUB_HEAP_KEEP, grow in steps of a quarter of it, and keep bodies
	 * of a few MiB in the heap rather than in mappings of their own.
	 */
	mallopt(M_TRIM_THRESHOLD, HUB_HEAP_KEEP);
	mallopt(M_TOP_PAD, HUB_HEAP_KEEP / 4);
	mallopt(M_MMAP_THRESHOLD, HUB_HEAP_KEEP);
	/* Each pooled connection may cache 16 MiB of pages; together they
	 * give some back past this. */
	sqlite3_soft_heap_limit64(HUB_SQLITE_HEAP);
	rc = hub_store_sqlite_open(c->db_path, HUB_THREADS + 2, &store, &c->err);
	if (rc != FB_OK)
		return rc;
	rc = hub_serve(store, &cfg, &c->err);
	store->ops->close(store);
	return rc;
}
