/* hub_cmd_serve.c - fieldbook-hub serve: run the HTTP endpoint. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "backoff.h"
#include "hub_cmd.h"
#include "hub_http.h"
#include "hub_relay.h"

static enum fb_code serve(struct cmd_ctx *c)
{
	struct hub_serve_config cfg = { HUB_LISTEN_DEFAULT, cmd_get(c, "tls-cert"),
					cmd_get(c, "tls-key"), cmd_get(c, "port-file"),
					cmd_get(c, "tls-priorities") };
	const char *every_text = cmd_get(c, "upstream-every");
	unsigned every = every_text ? fb_duration_parse(every_text) : 0;
	struct hub_store *store = NULL;
	struct hub_relay relay;
	struct book *b = NULL;
	enum fb_code rc = FB_OK;

	memset(&relay, 0, sizeof(relay));
	if (every_text && !every)
		return cmd_usage(c, "--upstream-every: a duration of 1 s to 1 day, such as"
				 " 300, 15m or 1h");
	if (cmd_get(c, "listen"))
		cfg.listen = cmd_get(c, "listen");
	/*
	 * SIGTERM and SIGINT are for hub_serve's sigwait alone.  They are
	 * blocked here, before the store's checkpointer or any server
	 * thread exists, so that every thread inherits the mask: a signal
	 * at start-up, or a second one during the drain, waits for sigwait
	 * (or is absorbed by the drain in progress) instead of killing the
	 * hub unclosed.
	 */
	hub_block_signals();
	/* Refuse a database that init did not make (a PostgreSQL store
	 * is looked at as it opens). */
	if (!c->store) {
		if ((rc = hub_open(c, &b)) != FB_OK)
			return rc;
		book_close(b);
	}
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
	rc = c->store ? hub_store_pg_open(c->store, HUB_STORE_CONNS, &store, &c->err)
		      : hub_store_sqlite_open(c->db_path, HUB_STORE_CONNS, &store, &c->err);
	if (rc != FB_OK)
		return rc;
	if (every)
		rc = hub_relay_start(&relay, c->store ? c->store : c->db_path, every, &c->err);
	if (rc == FB_OK)
		rc = hub_serve(store, &cfg, &c->err);
	hub_relay_stop(&relay);
	store->ops->close(store);
	return rc;
}

static const struct cmd_option serve_opts[] = {
	{ "listen", 0, "ADDR:PORT", NULL, "where to listen (default: " HUB_LISTEN_DEFAULT ")" },
	{ "tls-cert", 0, "FILE", NULL, "serve HTTPS with this certificate (PEM)" },
	{ "tls-key", 0, "FILE", NULL, "and this private key (PEM)" },
	{ "tls-priorities", 0, "STRING", NULL, "GnuTLS priorities (default: TLS 1.2 and 1.3,"
	  " forward-secret AEAD suites, the hub's order)" },
	{ "port-file", 0, "FILE", NULL, "write the port it listens on to FILE" },
	{ "upstream-every", 0, "DURATION", NULL, "relay to the upstream hub this often (300, 15m, 1h)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_serve_entry = {
	.name = "serve",
	.usage = "--db PATH serve --listen ADDR:PORT [--tls-cert F --tls-key F"
		 " [--tls-priorities S]] [--port-file F] [--upstream-every DURATION]",
	.help = "serve /v1/push, /v1/pull and /v1/health",
	.options = serve_opts,
	.run = serve,
};
