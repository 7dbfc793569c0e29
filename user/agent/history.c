/* The spool read back: see history.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agent/history.h"
#include "agent/spool.h"
#include "proc/text_escape.h"

struct history_file {
	struct spool_name sn;
	char *name;
};

static int by_start(const void *a, const void *b)
{
	const struct history_file *x = a, *y = b;

	if (x->sn.start_ms != y->sn.start_ms)
		return (x->sn.start_ms > y->sn.start_ms) - (x->sn.start_ms < y->sn.start_ms);
	return strcmp(x->name, y->name);
}

static int pid_wanted(const struct history_filter *f, uint32_t pid)
{
	if (!f->npids)
		return 1;
	for (int i = 0; i < f->npids; i++)
		if ((uint32_t)f->pids[i] == pid)
			return 1;
	return 0;
}

/* Which of the filter's checks the file's own labels pass: the service,
 * and the pid when the labels name one (the file name's was checked). */
struct accept_ctx {
	const struct history_filter *f;
	int refused;
};

static int accept_labels(void *ctx, const struct pprof_info *info)
{
	struct accept_ctx *a = ctx;
	const char *service = pprof_label(info, "service_name");

	if (a->f->service && (!service || strcmp(service, a->f->service)))
		return 0;
	if (info->pid && !pid_wanted(a->f, info->pid))
		return 0;
	return 1;
}

static void skipped(struct history_stats *st, uint64_t *counter, const char *name, const char *why)
{
	char safe[256];

	if (!st->first_skipped[0])
		snprintf(st->first_skipped, sizeof(st->first_skipped), "%s: %s",
			 text_escape(safe, sizeof(safe), name), why);
	(*counter)++;
}

static void count_process(struct history_stats *st, struct profile *p, uint32_t pid,
			  long long start_ticks, const struct pprof_info *info)
{
	const char *service = pprof_label(info, "service_name");
	int i;

	for (i = 0; i < st->nprocs; i++)
		if (st->procs[i].pid == pid && st->procs[i].start_ticks == start_ticks)
			break;
	if (i == st->nprocs) {
		if (st->nprocs == HISTORY_MAX_PROCESSES) {
			st->more_procs++;
			return;
		}
		st->procs[st->nprocs++] = (struct history_process){ .pid = pid, .start_ticks = start_ticks };
	}
	/* The latest window's name wins: a rule in a reloaded config may rename. */
	if (service && *service)
		snprintf(st->procs[i].service, sizeof(st->procs[i].service), "%s", service);
	st->procs[i].windows++;
	st->procs[i].samples += info->samples;
	/* The root frame "service (pid)", as record's "comm (pid)". */
	profile_set_process_name(p, pid, st->procs[i].service[0] ? st->procs[i].service : "python");
}

/* The whole of a regular file that is not a link, at most max bytes:
 * 0, or a reason in *why. */
static int slurp(int dfd, const char *name, size_t max, uint8_t **out, size_t *len,
		 const char **why, int *kind)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat sb;
	uint8_t *buf = NULL;
	size_t n = 0;

	*kind = 0;
	if (fd < 0) {
		*kind = errno == ELOOP ? 1 : 3;
		*why = errno == ELOOP ? "a symbolic link" : strerror(errno);
		return -1;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		*kind = 1;
		*why = "not a regular file";
	} else if ((uint64_t)sb.st_size > max) {
		*kind = 2;
		*why = "too big";
	} else if (!(buf = malloc(sb.st_size ? sb.st_size : 1))) {
		*kind = 3;
		*why = "out of memory";
	} else {
		/* The size may change under us: read at most what was stat'ed. */
		while (n < (size_t)sb.st_size) {
			ssize_t r = read(fd, buf + n, sb.st_size - n);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			n += r;
		}
	}
	close(fd);
	if (*kind) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* One window into p, or counted as skipped. */
static void read_window(int dfd, const struct history_file *hf, const struct history_filter *f,
			struct profile *p, struct frame_table *ft, struct history_stats *st)
{
	struct accept_ctx actx = { f, 0 };
	struct pprof_read_opts o = {
		.default_pid = (uint32_t)hf->sn.pid, .accept = accept_labels, .ctx = &actx,
	};
	struct pprof_info *info = malloc(sizeof(*info));
	const char *why = NULL;
	char err[256], msg[300];
	uint8_t *data = NULL;
	size_t len;
	int kind, rc;

	if (!info) {
		skipped(st, &st->corrupt, hf->name, "out of memory");
		return;
	}
	if (slurp(dfd, hf->name, HISTORY_MAX_FILE_BYTES, &data, &len, &why, &kind)) {
		skipped(st, kind == 1 ? &st->not_regular : kind == 2 ? &st->too_big : &st->corrupt,
			hf->name, why);
		free(info);
		return;
	}
	rc = pprof_read(p, ft, data, len, &o, info, err, sizeof(err));
	free(data);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s", err);
		skipped(st, &st->corrupt, hf->name, msg);
	} else if (rc == 1) {
		st->outside++;
	} else {
		uint64_t end = hf->sn.start_ms + info->duration_nanos / 1000000;

		if (!st->windows || hf->sn.start_ms < st->first_ms)
			st->first_ms = hf->sn.start_ms;
		if (end > st->end_ms)
			st->end_ms = end;
		if (!st->windows) {
			st->period = info->period;
			snprintf(st->python, sizeof(st->python), "%s", info->python);
		} else if (info->period != st->period) {
			st->mixed_periods = 1;
		}
		st->windows++;
		st->samples += info->samples;
		st->truncated += info->truncated;
		count_process(st, p, info->pid ? info->pid : (uint32_t)hf->sn.pid, hf->sn.start_ticks, info);
	}
	free(info);
}

/* A name the spool writer (proc/output_file.c) uses while it writes:
 * ".NAME.XXXXXXXXXXXX.tmp", soon renamed; not a stranger's file. */
static int is_temporary(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' && n > 4 && !strcmp(name + n - 4, ".tmp");
}

int history_read(const char *dir, const struct history_filter *f, struct profile *p,
		 struct frame_table *ft, struct history_stats *st, char *err, size_t errlen)
{
	struct history_file *files = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd, rc = 0;

	memset(st, 0, sizeof(*st));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || !(d = fdopendir(dfd))) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return rc;
	}
	/* The names first, filtered by what they say, then read in time order. */
	while ((de = readdir(d))) {
		struct spool_name sn;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || is_temporary(de->d_name))
			continue;
		st->entries++;
		if (spool_parse_name(de->d_name, &sn)) {
			skipped(st, &st->foreign, de->d_name, "not a window's name");
			continue;
		}
		if ((f->type && strcmp(sn.type, f->type)) || sn.start_ms < f->since_ms ||
		    (f->until_ms && sn.start_ms >= f->until_ms) || !pid_wanted(f, (uint32_t)sn.pid)) {
			st->outside++;
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			struct history_file *nf = realloc(files, ncap * sizeof(*nf));

			if (!nf) {
				rc = -ENOMEM;
				break;
			}
			files = nf;
			cap = ncap;
		}
		if (!(files[n].name = strdup(de->d_name))) {
			rc = -ENOMEM;
			break;
		}
		files[n++].sn = sn;
	}
	if (!rc) {
		if (n)
			qsort(files, n, sizeof(*files), by_start);
		for (size_t i = 0; i < n; i++)
			read_window(dirfd(d), &files[i], f, p, ft, st);
	} else {
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
	}
	p->process_frames = st->nprocs + (st->more_procs > 0) > 1;
	for (size_t i = 0; i < n; i++)
		free(files[i].name);
	free(files);
	closedir(d);
	return rc;
}

/* "1h30m", "2h", "90s": seconds, or -1. */
static long long parse_duration(const char *s)
{
	long long total = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (*s) {
		char *end;
		long long v, unit;

		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno || end == s || v < 0)
			return -1;
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return -1;
		}
		if (v > (1ll << 40) / unit)
			return -1;
		total += v * unit;
		s = end + 1;
	}
	return total;
}

/* An RFC 3339 zone: "Z", "+01:00", "-0530". Its offset east of UTC in
 * seconds, or 0 with *local for none; -1 if malformed. */
static int parse_zone(const char *s, long *offset, int *local)
{
	int hh, mm, n = 0;

	*offset = 0;
	*local = 0;
	if (!*s) {
		*local = 1;
		return 0;
	}
	if ((s[0] == 'Z' || s[0] == 'z') && !s[1])
		return 0;
	if ((s[0] == '+' || s[0] == '-') &&
	    (sscanf(s + 1, "%2d:%2d%n", &hh, &mm, &n) == 2 || sscanf(s + 1, "%2d%2d%n", &hh, &mm, &n) == 2) &&
	    !s[1 + n] && hh < 24 && mm < 60) {
		*offset = (s[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
		return 0;
	}
	return -1;
}

int history_parse_when(const char *s, time_t now, uint64_t *ms)
{
	struct tm tm;
	const char *rest;
	char *end, buf[64];
	long offset;
	int local, frac_ms = 0;
	long long secs;
	time_t t;
	size_t n;

	if (!strcmp(s, "now")) {
		*ms = (uint64_t)now * 1000;
		return 0;
	}
	/* Relative: "-2h", "2h ago", "30m". */
	n = strlen(s);
	if (n < sizeof(buf) && (s[0] == '-' || (n > 4 && !strcmp(s + n - 4, " ago")) ||
				(n && isalpha((unsigned char)s[n - 1])))) {
		snprintf(buf, sizeof(buf), "%s", s + (s[0] == '-'));
		if (n > 4 && !strcmp(buf + strlen(buf) - 4, " ago"))
			buf[strlen(buf) - 4] = '\0';
		if ((secs = parse_duration(buf)) >= 0 && secs <= now) {
			*ms = (uint64_t)(now - secs) * 1000;
			return 0;
		}
		if (s[0] == '-')
			return -EINVAL;
	}
	/* Unix seconds, with a fraction maybe. */
	if (isdigit((unsigned char)s[0])) {
		double v;

		errno = 0;
		v = strtod(s, &end);
		if (!errno && !*end && v >= 0 && v < 1e11) {
			*ms = (uint64_t)(v * 1000);
			return 0;
		}
	}
	/* A date, a time, or both. */
	memset(&tm, 0, sizeof(tm));
	if ((rest = strptime(s, "%Y-%m-%d", &tm))) {
		if (*rest == 'T' || *rest == 't' || *rest == ' ') {
			const char *r2 = strptime(rest + 1, "%H:%M", &tm);

			if (!r2)
				return -EINVAL;
			rest = r2;
			if (*rest == ':' && !(rest = strptime(rest + 1, "%S", &tm)))
				return -EINVAL;
		}
	} else if ((rest = strptime(s, "%H:%M", &tm))) {
		struct tm today;

		if (*rest == ':' && !(rest = strptime(rest + 1, "%S", &tm)))
			return -EINVAL;
		localtime_r(&now, &today);
		tm.tm_year = today.tm_year;
		tm.tm_mon = today.tm_mon;
		tm.tm_mday = today.tm_mday;
	} else {
		return -EINVAL;
	}
	if (*rest == '.') {	/* fractional seconds: milliseconds kept */
		int digits = 0;

		for (rest++; isdigit((unsigned char)*rest); rest++, digits++)
			if (digits < 3)
				frac_ms = frac_ms * 10 + (*rest - '0');
		if (!digits)
			return -EINVAL;
		for (; digits < 3; digits++)
			frac_ms *= 10;
	}
	if (parse_zone(rest, &offset, &local))
		return -EINVAL;
	tm.tm_isdst = -1;
	t = local ? mktime(&tm) : timegm(&tm) - offset;
	if (t == (time_t)-1 || t < 0)
		return -EINVAL;
	*ms = (uint64_t)t * 1000 + frac_ms;
	return 0;
}
