/* The agent's windows (windows.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/windows.h"
#include "out/writers.h"

static void add_label(struct proc_window *p, const char *key, const char *value)
{
	if (p->nlabels < WINDOW_MAX_LABELS && value[0]) {
		snprintf(p->labels[p->nlabels].key, sizeof(p->labels[0].key), "%s", key);
		snprintf(p->labels[p->nlabels].value, sizeof(p->labels[0].value), "%s", value);
		p->nlabels++;
	}
}

/* The profile-level labels, in the order the issue lists them; a user
 * label never replaces one of ours (config.c refuses those names). */
static void make_labels(struct windows *ws, struct proc_window *p)
{
	char pid[16];

	service_identify(p->pid, ws->cfg->rules, ws->cfg->nrules, &p->service);
	snprintf(pid, sizeof(pid), "%d", p->pid);
	p->nlabels = 0;
	add_label(p, "service_name", p->service.service);
	add_label(p, "host", ws->host);
	add_label(p, "pid", pid);
	add_label(p, "python_version", p->python);
	add_label(p, "container_id", p->service.container_id);
	for (int i = 0; i < ws->cfg->nlabels; i++)
		add_label(p, ws->cfg->labels[i].key, ws->cfg->labels[i].value);
}

void windows_init(struct windows *ws, const struct agent_config *cfg,
		  const struct frame_table *frames)
{
	memset(ws, 0, sizeof(*ws));
	ws->cfg = cfg;
	ws->frames = frames;
	if (gethostname(ws->host, sizeof(ws->host) - 1))
		snprintf(ws->host, sizeof(ws->host), "unknown");
}

static void proc_free(struct proc_window *p)
{
	profile_free(&p->cpu);
	profile_free(&p->mem);
	free(p);
}

void windows_free(struct windows *ws)
{
	for (int i = 0; i < ws->nprocs; i++)
		proc_free(ws->procs[i]);
	free(ws->procs);
	ws->procs = NULL;
	ws->nprocs = ws->cap = 0;
}

struct proc_window *windows_find(struct windows *ws, pid_t pid, long long start_ticks)
{
	for (int i = 0; i < ws->nprocs; i++)
		if (ws->procs[i]->pid == pid && ws->procs[i]->start_ticks == start_ticks &&
		    !ws->procs[i]->gone)
			return ws->procs[i];
	return NULL;
}

struct proc_window *windows_add(struct windows *ws, pid_t pid, long long start_ticks,
				const char *python, const char *cmdline)
{
	struct proc_window *p = windows_find(ws, pid, start_ticks);

	if (p)
		return p;
	if (ws->nprocs == ws->cap) {
		int cap = ws->cap ? 2 * ws->cap : 64;
		struct proc_window **v = realloc(ws->procs, cap * sizeof(*v));

		if (!v)
			return NULL;
		ws->procs = v;
		ws->cap = cap;
	}
	if (!(p = calloc(1, sizeof(*p))))
		return NULL;
	p->pid = pid;
	p->start_ticks = start_ticks;
	snprintf(p->python, sizeof(p->python), "%s", python);
	snprintf(p->cmdline, sizeof(p->cmdline), "%s", cmdline);
	profile_init(&p->cpu, ws->frames);
	profile_init(&p->mem, ws->frames);
	/* A target with endless distinct stacks (--idle walks every thread
	 * at every pass) must not grow a window without end. */
	profile_set_budget(&p->cpu, WINDOW_MAX_STACKS, WINDOW_MAX_BYTES);
	profile_set_budget(&p->mem, WINDOW_MAX_STACKS, WINDOW_MAX_BYTES);
	make_labels(ws, p);
	ws->procs[ws->nprocs++] = p;
	return p;
}

void windows_gone(struct windows *ws, pid_t pid, long long start_ticks)
{
	struct proc_window *p = windows_find(ws, pid, start_ticks);

	if (p)
		p->gone = 1;
}

void windows_relabel(struct windows *ws)
{
	for (int i = 0; i < ws->nprocs; i++)
		if (!ws->procs[i]->gone)
			make_labels(ws, ws->procs[i]);
}

/* One profile as gzipped pprof, in memory: open_memstream() gives the
 * writer the FILE it writes every format to. */
static int encode(const struct profile *prof, const struct profile_meta *meta, void **buf,
		  size_t *len)
{
	char *b = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&b, &n);
	int rc;

	if (!f)
		return -errno;
	rc = write_pprof(prof, meta, f);
	if (fclose(f) && !rc)
		rc = -EIO;
	if (rc) {
		free(b);
		return rc;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int flush_one(struct windows *ws, struct proc_window *p, const struct profile *prof,
		     const char *type, uint64_t now_ns, window_sink sink, void *ctx)
{
	char comments[WINDOW_MAX_LABELS][sizeof(p->labels[0].key) + sizeof(p->labels[0].value) + 8];
	const char *cv[WINDOW_MAX_LABELS];
	int memory = !strcmp(type, "memory");
	struct profile_meta meta = {
		.command = p->cmdline,
		.python = p->python,
		.duration_s = (now_ns - ws->start_ns) / 1e9,
		.hz = ws->cfg->hz,
		.idle = ws->cfg->idle && !memory,
		.start_unix_ns = ws->start_ns,
		.start_mono_ns = ws->start_mono_ns,
		.unit = memory ? "bytes" : NULL,
		.bytes_type = memory ? "alloc_space" : NULL,
		.comments = cv,
		.ncomments = p->nlabels,
		.agent_labels = 1,
	};
	struct window_out w = {
		.profile_type = type, .pid = p->pid, .start_ticks = p->start_ticks,
		.start_ns = ws->start_ns, .end_ns = now_ns, .labels = p->labels, .nlabels = p->nlabels,
		.prof = prof, .meta = &meta,
	};
	void *buf = NULL;
	int rc;

	for (int i = 0; i < p->nlabels; i++) {
		snprintf(comments[i], sizeof(comments[i]), "label %s=%s", p->labels[i].key,
			 p->labels[i].value);
		cv[i] = comments[i];
	}
	if ((rc = encode(prof, &meta, &buf, &w.pprof_len)))
		return rc;
	w.pprof_gz = buf;
	sink(ctx, &w);
	free(buf);
	return 0;
}

int windows_flush(struct windows *ws, uint64_t now_ns, uint64_t now_mono_ns, window_sink sink,
		  void *ctx, uint64_t *encode_errors)
{
	int given = 0;

	for (int i = 0; i < ws->nprocs;) {
		struct proc_window *p = ws->procs[i];
		const char *cpu_type = ws->cfg->idle ? "wall" : "process_cpu";

		if (p->cpu.samples) {
			if (flush_one(ws, p, &p->cpu, cpu_type, now_ns, sink, ctx))
				(*encode_errors)++;
			else
				given++;
		}
		if (p->mem.samples) {
			if (flush_one(ws, p, &p->mem, "memory", now_ns, sink, ctx))
				(*encode_errors)++;
			else
				given++;
		}
		profile_free(&p->cpu);
		profile_free(&p->mem);
		if (p->gone) {
			proc_free(p);
			ws->procs[i] = ws->procs[--ws->nprocs];
			continue;
		}
		i++;
	}
	ws->start_ns = now_ns;
	ws->start_mono_ns = now_mono_ns;
	return given;
}
