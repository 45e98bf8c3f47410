/*
 * ui_sync.c - the page's sync button (ui.h): one sync_attempt() (the
 * same one `fieldbook sync` makes, under the same sync lock, noted in
 * the book for `status`) in a thread of its own, its progress kept
 * under a lock for the page to ask while it runs.
 */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "autosync.h"
#include "ui.h"

static void on_progress(const struct progress *p, void *ctx)
{
	struct ui_sync *s = ctx;

	pthread_mutex_lock(&s->lock);
	snprintf(s->step, sizeof(s->step), "%s", p->step ? p->step : "");
	s->done = p->done;
	s->total = p->total;
	s->bytes = p->bytes;
	s->fraction = p->fraction;
	pthread_mutex_unlock(&s->lock);
}

static void *run(void *arg)
{
	struct ui_app *app = arg;
	struct ui_sync *s = &app->sync;
	struct progress_sink sink = { on_progress, s };
	struct sync_stats st;
	struct cmd_ctx *c = calloc(1, sizeof(*c));
	enum fb_code rc;

	if (!c) {
		rc = FB_ENOMEM;
		memset(&st, 0, sizeof(st));
	} else {
		c->prog = app->prog;
		c->db_path = app->db_path;
		rc = sync_attempt(c, SYNC_PUSH | SYNC_PULL, &sink, &st, NULL, NULL);
	}
	pthread_mutex_lock(&s->lock);
	s->running = 0;
	s->finished = 1;
	s->rc = rc;
	s->st = st;
	snprintf(s->message, sizeof(s->message), "%s",
		 c && c->err.msg[0] ? c->err.msg : rc == FB_OK ? "" : fb_strerror(rc));
	pthread_mutex_unlock(&s->lock);
	if (c)
		buf_release(&c->detail);
	free(c);
	return NULL;
}

enum fb_code ui_sync_start(struct ui_app *app, struct fb_error *err)
{
	struct ui_sync *s = &app->sync;
	enum fb_code rc = FB_OK;

	pthread_mutex_lock(&s->lock);
	if (s->running) {
		rc = fb_fail(err, FB_EBUSY, _("a sync is already under way"));
		goto out;
	}
	if (s->started) {
		pthread_join(s->thread, NULL);
		s->started = 0;
	}
	s->running = 1;
	s->finished = 0;
	s->step[0] = '\0';
	s->done = s->total = s->bytes = 0;
	s->fraction = -1;
	if (pthread_create(&s->thread, NULL, run, app) != 0) {
		s->running = 0;
		rc = fb_fail(err, FB_EINTERNAL, _("cannot start the sync"));
		goto out;
	}
	s->started = 1;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

cJSON *ui_sync_json(struct ui_app *app)
{
	struct ui_sync *s = &app->sync;
	cJSON *o = cJSON_CreateObject(), *r;

	if (!o)
		return NULL;
	pthread_mutex_lock(&s->lock);
	cJSON_AddBoolToObject(o, "running", s->running);
	cJSON_AddStringToObject(o, "step", s->step);
	cJSON_AddNumberToObject(o, "done", (double)s->done);
	cJSON_AddNumberToObject(o, "total", (double)s->total);
	cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
	cJSON_AddNumberToObject(o, "fraction", s->fraction);
	if (s->finished && (r = cJSON_AddObjectToObject(o, "result")) != NULL) {
		cJSON_AddBoolToObject(r, "ok", s->rc == FB_OK);
		cJSON_AddNumberToObject(r, "exit", s->rc == FB_OK ? 0 : fb_exit_status(s->rc));
		cJSON_AddNumberToObject(r, "sent", (double)s->st.pushed);
		cJSON_AddNumberToObject(r, "received", (double)s->st.pulled);
		cJSON_AddNumberToObject(r, "rejected", (double)s->st.rejected);
		cJSON_AddStringToObject(r, "message", s->message);
	}
	pthread_mutex_unlock(&s->lock);
	return o;
}

void ui_sync_join(struct ui_app *app)
{
	struct ui_sync *s = &app->sync;
	int started;

	pthread_mutex_lock(&s->lock);
	started = s->started;
	s->started = 0;
	pthread_mutex_unlock(&s->lock);
	if (started)
		pthread_join(s->thread, NULL);
}
