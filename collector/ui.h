/*
 * ui.h - `fieldbook ui`: the local page, served by the collector itself
 * on 127.0.0.1 (docs/COMMANDS.md, "ui"; docs/DECISIONS.md, "The local
 * page").
 *
 * Three parts, a file each:
 *   ui_server.c  HTTP (libmicrohttpd): who may ask (Host, Origin, the
 *                run's secret), the page's files compiled into the
 *                binary, and JSON in and out;
 *   ui_api.c     the API: the same library calls as the commands
 *                (book.h, book_find.h, book_view.h), one book opened per
 *                request, so the command line and a sync wait at most
 *                one short transaction for the page;
 *   ui_sync.c    a sync in a thread of its own, through sync_attempt()
 *                (autosync.h) and its lock, with its progress kept for
 *                the page to ask.
 * ui_text.c holds the page's words, marked for the catalogue and sent
 * to the page in the language it asks for.
 */
#ifndef FB_UI_H
#define FB_UI_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "cli.h"

/* One of the page's files, as collector/ui/embed.sh compiles it in. */
struct ui_asset {
	const char *path;               /* "/app.js" */
	const char *type;               /* its Content-Type */
	const unsigned char *data;
	size_t len;
};

/* Every file of the page; ends with { NULL }. */
extern const struct ui_asset ui_assets[];

#define UI_SECRET_BYTES   32            /* of the run's secret, random */
#define UI_SECRET_HEX     (2 * UI_SECRET_BYTES)
#define UI_SECRET_HEADER  "X-Fieldbook-Secret"
#define UI_LANG_HEADER    "X-Fieldbook-Lang"
#define UI_BODY_MAX       ((size_t)256 * 1024)  /* a request's JSON body */
#define UI_THREADS        4             /* requests served at once */
#define UI_CONN_TIMEOUT_S 60
#define UI_CONN_MAX       64

/* A sync the page started: how far it got, and how it ended. */
struct ui_sync {
	pthread_mutex_t lock;
	pthread_t thread;
	int started;                    /* a thread was made (join it) */
	int running;
	/* progress (progress.h), of the step under way */
	char step[16];
	uint64_t done, total, bytes;
	double fraction;
	/* the last sync's end: */
	int finished;
	enum fb_code rc;
	struct sync_stats st;
	char message[FB_ERRMSG_MAX];
};

/* What a run of the page holds. */
struct ui_app {
	const char *prog;
	const char *db_path;
	char secret[UI_SECRET_HEX + 1];
	unsigned port;
	/* The API answers one request at a time: each is short (one book
	 * opened, one transaction), and the language of messages is the
	 * process's, set for each request under this lock. */
	pthread_mutex_t api;
	struct ui_sync sync;
};

/* A request to the API, as ui_server.c hands it on. */
struct ui_request {
	const char *method;             /* "GET" or "POST" */
	const char *path;               /* "/api/list" */
	/* A query argument by name, or NULL. */
	const char *(*arg)(void *ctx, const char *name);
	void *arg_ctx;
	const struct cJSON *body;       /* POST: its JSON (an object), else NULL */
	const char *lang;               /* "vi" or "en" */
};

/* The answer: an HTTP status and a JSON document (the caller frees it). */
struct ui_answer {
	int status;
	struct cJSON *doc;
};

/*
 * Answer one API request.  Errors are answered, not returned: a JSON
 * object {"error": code, "message": text, "field": name} with a status
 * of 4xx or 5xx (ui_api.c says which).  Called under app->api.
 */
void ui_api(struct ui_app *app, const struct ui_request *rq, struct ui_answer *an);

/* The page's words in the language of messages now, as a JSON object
 * (key: text); NULL when memory runs out. */
struct cJSON *ui_text_json(void);

/*
 * Start a sync of app->db_path in a thread (SYNC_PUSH | SYNC_PULL).
 * FB_EBUSY when the page's own sync is still running (another
 * program's sync is refused by the sync lock, and that ends this one
 * at once with FB_EBUSY in its result).
 */
enum fb_code ui_sync_start(struct ui_app *app, struct fb_error *err);

/* The sync's state as JSON (running, progress, the last result). */
struct cJSON *ui_sync_json(struct ui_app *app);

/* Wait for a sync under way to end (on the way out). */
void ui_sync_join(struct ui_app *app);

/* Options of `fieldbook ui`. */
struct ui_config {
	unsigned port;                  /* 0: a free one */
	const char *port_file;          /* write the port there, or NULL */
	int open_browser;               /* xdg-open the address */
};

/*
 * Serve the page until SIGINT or SIGTERM: listen on 127.0.0.1, print
 * the address (with the secret in its fragment) on stdout, open it in
 * the browser when asked and xdg-open is there.  FB_EIO when it
 * cannot listen.
 */
enum fb_code ui_serve(struct cmd_ctx *c, const struct ui_config *cfg);

#endif
