/* sync_local.c - a book as a sync's end (sync_local.h). */
#include "book_view.h"
#include "sync_local.h"

static const char *bk_device(void *ctx)
{
	return book_device(ctx);
}

static enum fb_code bk_meta_get(void *ctx, const char *key, char **out,
				struct fb_error *err)
{
	return book_meta_get(ctx, key, out, err);
}

static enum fb_code bk_meta_int(void *ctx, const char *key, long long def, long long *out,
				struct fb_error *err)
{
	return book_meta_int(ctx, key, def, out, err);
}

static enum fb_code bk_meta_set(void *ctx, const char *key, const char *value,
				struct fb_error *err)
{
	return book_meta_set(ctx, key, value, err);
}

static enum fb_code bk_meta_set_int(void *ctx, const char *key, long long value,
				    struct fb_error *err)
{
	return book_meta_set_int(ctx, key, value, err);
}

static enum fb_code bk_begin(void *ctx, struct fb_error *err)
{
	return book_begin(ctx, err);
}

static enum fb_code bk_commit(void *ctx, struct fb_error *err)
{
	return book_commit(ctx, err);
}

static void bk_rollback(void *ctx)
{
	book_rollback(ctx);
}

static enum fb_code bk_chain_at(void *ctx, const char *device, uint64_t seq,
				unsigned char hash[JOURNAL_HASH_LEN], int *found,
				struct fb_error *err)
{
	return book_chain_at(ctx, device, seq, hash, found, err);
}

static enum fb_code bk_apply(void *ctx, struct jchange *c, struct fb_error *err)
{
	return book_apply(ctx, c, BOOK_FROM_HUB, NULL, err);
}

static enum fb_code bk_relay_identity(void *ctx, struct fb_error *err)
{
	return book_relay_identity(ctx, err);
}

static enum fb_code bk_relay_first(void *ctx, const char *device, uint64_t held,
				   uint64_t *cseq, struct fb_error *err)
{
	return book_relay_first(ctx, device, held, cseq, err);
}

static enum fb_code bk_relay_changes(void *ctx, const char *device, uint64_t held,
				     uint64_t below, struct jchange *out, size_t max,
				     size_t max_bytes, size_t *n, struct fb_error *err)
{
	return book_relay_changes(ctx, device, held, below, out, max, max_bytes, n, err);
}

static enum fb_code bk_relay_known(void *ctx, const char *device, uint64_t seq,
				   struct fb_error *err)
{
	return book_relay_known(ctx, device, seq, err);
}

static enum fb_code bk_relay_known_of(void *ctx, const char *device, uint64_t *seq,
				      struct fb_error *err)
{
	return book_relay_known_of(ctx, device, seq, err);
}

static enum fb_code bk_relay_forget(void *ctx, struct fb_error *err)
{
	return book_relay_forget(ctx, err);
}

static enum fb_code bk_each_relay_candidate(void *ctx, book_head_fn fn, void *fn_ctx,
					    struct fb_error *err)
{
	return book_each_relay_candidate(ctx, fn, fn_ctx, err);
}

static enum fb_code bk_relay_waiting(void *ctx, uint64_t *entries, uint64_t *devices,
				     struct fb_error *err)
{
	return book_relay_waiting(ctx, entries, devices, err);
}

static void bk_close(void *ctx)
{
	book_close(ctx);
}

static const struct sync_local_ops book_local_ops = {
	.device = bk_device,
	.meta_get = bk_meta_get, .meta_int = bk_meta_int,
	.meta_set = bk_meta_set, .meta_set_int = bk_meta_set_int,
	.begin = bk_begin, .commit = bk_commit, .rollback = bk_rollback,
	.chain_at = bk_chain_at, .apply = bk_apply,
	.relay_identity = bk_relay_identity, .relay_first = bk_relay_first,
	.relay_changes = bk_relay_changes, .relay_known = bk_relay_known,
	.relay_known_of = bk_relay_known_of, .relay_forget = bk_relay_forget,
	.each_relay_candidate = bk_each_relay_candidate,
	.relay_waiting = bk_relay_waiting,
	.close = bk_close,
};

void sync_local_of_book(struct book *b, struct sync_local *out)
{
	out->ops = &book_local_ops;
	out->ctx = b;
	out->book = b;
}

void sync_local_close(struct sync_local *l)
{
	if (l->ops && l->ops->close)
		l->ops->close(l->ctx);
	l->ops = NULL;
	l->ctx = NULL;
	l->book = NULL;
}
