/* service_name: real cgroup lines of systemd, docker, containerd, CRI-O
 * and podman hosts; CPython command lines as CPython reads them; and what
 * a hostile target can put in either. Then service_identify() on real
 * processes, rules first. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "agent/service.h"
#include "proc/procfs.h"
#include "proc/text_escape.h"

#define ID "3f4e1a2b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b"
#define ID2 "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999"

static void cgroup_case(const char *cgroup, const char *want_unit, const char *want_container)
{
	char unit[256], container[80];

	service_from_cgroup(cgroup, unit, sizeof(unit), container, sizeof(container));
	CHECK(!strcmp(unit, want_unit) && !strcmp(container, want_container),
	      "%s\n     gave unit \"%s\" container \"%s\", not \"%s\" \"%s\"", TEXT_SAFE(cgroup),
	      unit, container, want_unit, want_container);
}

/* argv as /proc/PID/cmdline holds it: NUL-separated, len bytes. */
static void cmdline_case(const char *argv, size_t len, const char *want)
{
	char out[128], shown[512];
	size_t k = 0;

	for (size_t i = 0; i < len && k + 2 < sizeof(shown); i++)
		shown[k++] = argv[i] ? argv[i] : ' ';
	shown[k] = '\0';
	service_from_cmdline(argv, len, out, sizeof(out));
	CHECK(!strcmp(out, want), "[%s] gave \"%s\", not \"%s\"", TEXT_SAFE(shown), out, want);
}
/* A literal with its final NUL, as the kernel writes it. */
#define CMD(lit, want) cmdline_case(lit, sizeof(lit) - 1, want)

static void unit_case(const char *unit, const char *want)
{
	char out[128];

	service_from_unit(unit, out, sizeof(out));
	CHECK(!strcmp(out, want), "unit %s gave \"%s\", not \"%s\"", unit, out, want);
}

static int safe_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *s))
			return 0;
	return 1;
}

/* A child running PROG with argv, once it has exec'd: its exe is PROG
 * and its cmdline argv. */
static pid_t spawn(const char *prog, char *const argv[])
{
	char buf[4096], exe[4096], link[64];
	pid_t pid = fork();

	if (pid == 0) {
		execv(prog, argv);
		_exit(127);
	}
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	for (int i = 0; pid > 0 && i < 400; i++) {
		ssize_t n = readlink(link, exe, sizeof(exe) - 1);

		exe[n > 0 ? n : 0] = '\0';
		n = proc_file_read(pid, "cmdline", buf, sizeof(buf));
		if (!strcmp(exe, prog) && n > 0 && !strcmp(buf, argv[0]))
			return pid;
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	return pid;
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

int main(void)
{
	char huge[20000], out[128];
	struct service_info si;

	/* --- cgroup v2, systemd units --- */
	cgroup_case("0::/system.slice/web.service\n", "web.service", "");
	cgroup_case("0::/system.slice/system-celery.slice/celery@worker1.service\n",
		    "celery@worker1.service", "");
	cgroup_case("0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service\n",
		    "foo.service", "");
	cgroup_case("0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Terminal-2731.scope\n",
		    "", "");
	cgroup_case("0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-5c1b0f0e-2d6a-4a8e-9d7f-0b1c2d3e4f50.scope\n",
		    "", "");
	cgroup_case("0::/user.slice/user-1000.slice/user@1000.service/init.scope\n", "", "");
	cgroup_case("0::/user.slice/user-1000.slice/session-3.scope\n", "", "");
	cgroup_case("0::/init.scope\n", "", "");
	cgroup_case("0::/\n", "", "");
	cgroup_case("0::/system.slice/cron.service\n", "", "");		/* cron jobs */
	cgroup_case("0::/system.slice/ssh.service\n", "", "");
	cgroup_case("0::/system.slice/supervisor.service\n", "", "");
	cgroup_case("0::/system.slice/run-u42.service\n", "", "");	/* systemd-run */
	cgroup_case("0::/system.slice/run-r0b4e9e9c3f5d4a6c8f7e2a1b3c4d5e6f.service\n", "", "");
	cgroup_case("0::/system.slice/run-parts.service\n", "run-parts.service", "");
	cgroup_case("0::/system.slice/run-u.service\n", "run-u.service", "");
	cgroup_case("0::/system.slice/getty@tty1.service\n", "", "");
	cgroup_case("0::/system.slice/.service\n", "", "");
	cgroup_case("0::/system.slice/web.service/worker\n", "web.service", "");	/* a delegated subgroup */
	/* Hybrid and v1 hosts: the unified or name=systemd line names the
	 * unit, whatever the controllers' lines say. */
	cgroup_case("12:cpu,cpuacct:/system.slice/other.service\n1:name=systemd:/system.slice/web.service\n0::/system.slice/web.service\n",
		    "web.service", "");
	cgroup_case("4:cpu,cpuacct:/system.slice/other.service\n1:name=systemd:/system.slice/web.service\n",
		    "web.service", "");
	cgroup_case("4:memory:/system.slice/api.service\n", "api.service", "");

	/* --- containers --- */
	cgroup_case("0::/system.slice/docker-" ID ".scope\n", "", ID);
	cgroup_case("12:pids:/docker/" ID "\n11:memory:/docker/" ID "\n1:name=systemd:/docker/" ID "\n0::/system.slice/containerd.service\n",
		    "", ID);
	cgroup_case("0::/docker/" ID "\n", "", ID);
	cgroup_case("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/cri-containerd-" ID ".scope\n",
		    "", ID);
	cgroup_case("0::/kubepods/besteffort/pod1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/" ID "\n", "", ID);
	cgroup_case("0::/kubepods.slice/kubepods-pod1a2b3c4d_5e6f.slice/crio-" ID ".scope\n", "", ID);
	cgroup_case("0::/kubepods.slice/kubepods-pod1a2b3c4d_5e6f.slice/crio-conmon-" ID ".scope\n", "", "");
	cgroup_case("0::/machine.slice/libpod-" ID ".scope/container\n", "", ID);
	cgroup_case("0::/machine.slice/libpod-conmon-" ID ".scope\n", "", "");
	cgroup_case("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope\n", "", ID);
	cgroup_case("0::/libpod_parent/libpod-" ID "\n", "", ID);
	/* systemd inside the container: its unit, and the container. */
	cgroup_case("0::/system.slice/docker-" ID ".scope/system.slice/web.service\n", "web.service", ID);
	/* A unit above the container is the host's. */
	cgroup_case("0::/system.slice/containerd.service/kubepods/burstable/podx/" ID "\n", "", ID);
	cgroup_case("0::/system.slice/myrunner.service/docker/" ID "\n", "", ID);
	cgroup_case("0::/system.slice/web.service\n5:pids:/docker/" ID "\n", "", ID);
	/* The outermost container: one below it may be the container's own
	 * making (kind's nodes, or a forged id). */
	cgroup_case("0::/system.slice/docker-" ID ".scope/kubelet.slice/cri-containerd-" ID2 ".scope\n", "", ID);
	/* Not ids: 63 or 65 digits, capitals, not hex. */
	cgroup_case("0::/docker/" "3f4e1a2b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6" "\n", "", "");
	cgroup_case("0::/docker/" ID "0\n", "", "");
	cgroup_case("0::/docker/3F4E1A2B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9A0B1C2D3E4F5A6B\n", "", "");
	cgroup_case("0::/docker/3g4e1a2b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b\n", "", "");
	cgroup_case("0::/system.slice/docker-.scope\n", "", "");

	/* --- hostile and broken files --- */
	cgroup_case("", "", "");
	cgroup_case("no colons here web.service\n", "", "");
	cgroup_case("0:/system.slice/web.service\n", "", "");		/* one colon */
	cgroup_case("0::/system.slice/web.service", "web.service", "");	/* no newline */
	cgroup_case("0::/system.slice/docker-" ID ".scope/x\x1b[2J\xff;rm -rf\n.service\n", "", ID);
	cgroup_case("0::/system.slice/docker-" ID ".scope/e\x1b[2J\xff vil.service\n", "e__2J__vil.service", ID);
	memset(huge, 'a', sizeof(huge));
	memcpy(huge, "0::/", 4);
	memcpy(huge + sizeof(huge) - 9, ".service", 9);		/* one 20000-byte name */
	cgroup_case(huge, "", "");
	for (size_t i = 5; i + 1 < sizeof(huge) - 13; i += 2)
		huge[i] = '/';
	memcpy(huge + sizeof(huge) - 13, "/big.service", 13);	/* 10000 components */
	cgroup_case(huge, "big.service", "");
	huge[4] = '\n';						/* 10000 lines, all broken */
	for (size_t i = 5; i + 1 < sizeof(huge) - 13; i += 2)
		huge[i] = '\n';
	cgroup_case(huge, "", "");

	/* --- units into names --- */
	unit_case("web.service", "web");
	unit_case("celery@worker1.service", "celery");
	unit_case("@x.service", "_x");
	unit_case("my app.service", "my_app");

	/* --- command lines, as CPython reads them --- */
	CMD("python3\0app.py\0", "app");
	CMD("python3.11\0/srv/app/main.py\0--port\0" "8000\0", "main");
	CMD("python\0-m\0pkg.mod\0", "pkg.mod");
	CMD("python\0-mhttp.server\0" "8000\0", "http.server");
	CMD("python\0-u\0-X\0dev\0-W\0ignore\0/srv/x/manage.py\0runserver\0", "manage");
	CMD("python\0-Xdev\0-Wignore::DeprecationWarning\0app.py\0", "app");
	CMD("python\0-X\0importtime\0-X\0frozen_modules=off\0worker.py\0", "worker");
	CMD("python\0-c\0import x\0", "");
	CMD("python\0-uc\0import x; x.run()\0app.py\0", "");
	CMD("python\0-Bm\0mod\0", "mod");
	CMD("python3\0-OO\0-sSE\0-I\0app.py\0", "app");
	CMD("python3\0-W\0-m\0app.py\0", "app");		/* "-m" is -W's argument */
	CMD("/venv/bin/python\0/venv/bin/gunicorn\0app:app\0-w\0" "4\0", "gunicorn");
	CMD("/usr/bin/python3\0/usr/local/bin/celery\0-A\0proj\0worker\0", "celery");
	CMD("python3\0-m\0uvicorn\0main:app\0", "uvicorn");
	CMD("python3\0-m\0pkg.__main__\0", "pkg");
	CMD("python3\0/srv/app/__main__.py\0", "app");
	CMD("python3\0/srv/app/\0", "app");			/* a directory with __main__.py */
	CMD("python3\0app.pyz\0", "app");
	CMD("python3\0cached.pyc\0", "cached");
	CMD("python3\0tool\0", "tool");
	CMD("python3\0job.v2.py\0", "job.v2");
	CMD("python3\0-\0", "");				/* stdin */
	CMD("python3\0--\0x.py\0", "x");
	CMD("python3\0--\0-weird.py\0", "-weird");
	CMD("python3\0--check-hash-based-pycs\0always\0x.py\0", "x");
	CMD("python3\0--version\0", "");
	CMD("python3\0-i\0", "");
	CMD("python3\0-W\0", "");				/* "Argument expected" */
	CMD("python3\0-m\0", "");
	CMD("python3\0", "");					/* argv[0] only: the REPL */
	CMD("", "");
	cmdline_case("", 0, "");
	cmdline_case("python3\0app.py", 14, "app");		/* no final NUL */
	CMD("python3\0\0app.py\0", "");				/* "" is the script */
	CMD("python3.11d\0app.py\0", "app");
	CMD("/root/.pyenv/versions/3.13.1t/bin/python3.13t\0app.py\0", "app");
	/* Not an interpreter's command line: its arguments are not CPython's. */
	CMD("uwsgi\0--ini\0app.ini\0", "");
	CMD("uwsgi\0app.ini\0", "");
	CMD("gunicorn: master [app:app]\0", "");		/* setproctitle */
	CMD("/opt/embed/bin/myapp\0run.py\0", "");
	/* Hostile names. */
	CMD("python3\0/tmp/\x1b[2J\xff evil;rm -rf.py\0", "__2J__evil_rm_-rf");
	CMD("python3\0caf\xc3\xa9.py\0", "caf__");
	CMD("python3\0../../..\0", "");
	CMD("python3\0.py\0", "");
	CMD("python3\0/\0", "");
	CMD("python3\0-m\0../../x\0", ".._.._x");
	CMD("python3\0-m\0\x01\x02\0", "__");
	{
		/* A 10000-byte script name is cut to the buffer; 200 options
		 * before a script are past what is read. */
		static char argv[30000];
		size_t n = 0;

		memcpy(argv, "python3\0", 8);
		n = 8;
		memset(argv + n, 'a', 10000);
		n += 10000;
		memcpy(argv + n, ".py", 4);
		n += 4;
		service_from_cmdline(argv, n, out, sizeof(out));
		CHECK(strlen(out) == sizeof(out) - 1 && strspn(out, "a") == sizeof(out) - 1, "%zu", strlen(out));
		service_from_cmdline(argv, n, out, 8);
		CHECK(!strcmp(out, "aaaaaaa"), "%s", out);
		n = 8;
		for (int i = 0; i < 200; i++) {
			memcpy(argv + n, "-u", 3);
			n += 3;
		}
		memcpy(argv + n, "app.py", 7);
		n += 7;
		service_from_cmdline(argv, n, out, sizeof(out));
		CHECK(!strcmp(out, ""), "%s", out);
		/* Every byte value as a script name: a safe name or none. */
		for (int c = 1; c < 256; c++) {
			char a[16] = "python3\0x?y.py";

			a[9] = (char)c;
			service_from_cmdline(a, 15, out, sizeof(out));
			if (c == '/')
				CHECK(!strcmp(out, "y"), "x/y.py gave %s", out);
			else
				CHECK(safe_name(out) && strlen(out) == 3, "byte 0x%02x gave \"%s\"", c, TEXT_SAFE(out));
		}
	}

	/* Random bytes, and random pieces of real lines: a safe name or
	 * none, a container id of 64 hex digits or none, within bounds. */
	{
		static const char *const pieces[] = {
			"0::", "1:name=systemd:", "/", "\n", ".service", ".scope", "docker-", "crio-",
			"libpod-", "cri-containerd-", ID, "@", "user@1000.service", "python3", "-m", "-c",
			"-X", "-W", "--", "app.py", "__main__.py", "\0", "-", ":", "\xff", "\x1b",
		};
		unsigned seed = 12345;
		char buf[512], unit[256], container[80];

		for (int iter = 0; iter < 20000; iter++) {
			size_t n = 0, want = (size_t)(rand_r(&seed) % 400);

			while (n < want) {
				if (rand_r(&seed) % 3 == 0) {
					buf[n++] = (char)(rand_r(&seed) % 256);
				} else {
					const char *p = pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
					size_t k = *p ? strlen(p) : 1;

					if (n + k > want)
						break;
					memcpy(buf + n, p, k);
					n += k;
				}
			}
			service_from_cmdline(buf, n, out, sizeof(out));
			CHECK(!out[0] || safe_name(out), "cmdline gave \"%s\"", TEXT_SAFE(out));
			buf[n] = '\0';
			service_from_cgroup(buf, unit, sizeof(unit), container, sizeof(container));
			CHECK((!container[0] || (strlen(container) == 64 && strspn(container, "0123456789abcdef") == 64)) &&
			      (!unit[0] || strlen(unit) > 8), "cgroup gave \"%s\" \"%s\"", TEXT_SAFE(unit),
			      TEXT_SAFE(container));
			if (unit[0]) {
				service_from_unit(unit, out, sizeof(out));
				CHECK(!out[0] || safe_name(out), "unit gave \"%s\"", TEXT_SAFE(out));
			}
		}
	}

	/* --- service_identify() on real processes --- */
	{
		char cg[16384], unit[256], container[80];
		struct service_rule rules[4];
		const char *py = "/usr/bin/python3.11";
		char dir[] = "/tmp/test_service.XXXXXX", script[64];
		int have_py = access(py, X_OK) == 0;
		const char *want_src = NULL, *want = NULL;
		char want_buf[128], self_exe[4096];
		const char *self_base;
		ssize_t n;
		FILE *f;

		/* This program's name (test_service, or under another). */
		n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
		self_exe[n > 0 ? n : 0] = '\0';
		self_base = strrchr(self_exe, '/') ? strrchr(self_exe, '/') + 1 : self_exe;
		/* Where this test runs (a unit, a container, a terminal)
		 * decides what comes before the command line. */
		if (proc_file_read(0, "cgroup", cg, sizeof(cg)) < 0)
			cg[0] = '\0';
		service_from_cgroup(cg, unit, sizeof(unit), container, sizeof(container));
		if (unit[0]) {
			service_from_unit(unit, want_buf, sizeof(want_buf));
			want = want_buf;
			want_src = "systemd";
		} else if (container[0]) {
			snprintf(want_buf, sizeof(want_buf), "%.12s", container);
			want = want_buf;
			want_src = "container";
		}

		service_identify(getpid(), NULL, 0, &si);
		CHECK(!strcmp(si.service, want ? want : self_base) &&
		      !strcmp(si.source, want_src ? want_src : "executable") &&
		      !strcmp(si.container_id, container), "self: %s (%s) [%s]", si.service, si.source,
		      si.container_id);

		memset(rules, 0, sizeof(rules));
		rules[0] = (struct service_rule){ MATCH_CMDLINE, "*no such thing*", "never" };
		rules[1] = (struct service_rule){ MATCH_EXE, "", "by exe" };
		snprintf(rules[1].pattern, sizeof(rules[1].pattern), "*/%.*s?", (int)strlen(self_base) - 1,
			 self_base);
		rules[2] = (struct service_rule){ MATCH_COMM, "", "by-comm" };
		/* "test_servi*", or valgrind's name when it runs us. */
		if (proc_file_read(0, "comm", rules[2].pattern, 11) > 0)
			strcpy(rules[2].pattern + strcspn(rules[2].pattern, "\n"), "*");
		service_identify(getpid(), rules, 3, &si);
		CHECK(!strcmp(si.service, "by_exe") && !strcmp(si.source, "rule"), "%s (%s)", si.service,
		      si.source);
		service_identify(getpid(), rules + 2, 1, &si);
		CHECK(!strcmp(si.service, "by-comm") && !strcmp(si.source, "rule"), "%s (%s)", si.service,
		      si.source);
		rules[3] = (struct service_rule){ MATCH_CGROUP, "/*", "any/cgroup" };
		service_identify(getpid(), rules + 3, 1, &si);
		CHECK(!strcmp(si.service, cg[0] ? "any_cgroup" : (want ? want : self_base)),
		      "%s (%s)", si.service, si.source);
		rules[0] = (struct service_rule){ MATCH_COMM, "*", "" };	/* names nothing: skipped */
		service_identify(getpid(), rules, 1, &si);
		CHECK(strcmp(si.source, "rule") != 0, "%s (%s)", si.service, si.source);

		/* A pid that is gone: a name all the same. */
		service_identify(0x3fffffff, NULL, 0, &si);
		CHECK(!strcmp(si.service, "unknown") && !strcmp(si.source, "executable") &&
		      !si.container_id[0], "%s (%s)", si.service, si.source);

		if (!have_py || !mkdtemp(dir)) {
			SKIP("%s absent: no real interpreter's command line", py);
		} else {
			snprintf(script, sizeof(script), "%s/my-app.py", dir);
			f = fopen(script, "w");
			fputs("import time\ntime.sleep(30)\n", f);
			fclose(f);
			{
				char *argv[] = { "python3.11", "-u", "-X", "dev", script, "--flag", NULL };
				pid_t pid = spawn(py, argv);

				service_identify(pid, NULL, 0, &si);
				CHECK(!strcmp(si.service, want ? want : "my-app") &&
				      !strcmp(si.source, want_src ? want_src : "script"), "%s (%s)",
				      si.service, si.source);
				rules[0] = (struct service_rule){ MATCH_CMDLINE, "python3.11 -u -X dev */my-app.py --flag", "cmd" };
				service_identify(pid, rules, 1, &si);
				CHECK(!strcmp(si.service, "cmd") && !strcmp(si.source, "rule"), "%s (%s)",
				      si.service, si.source);
				reap(pid);
			}
			{
				char *argv[] = { "python3.11", "-m", "my_mod.sub", "x", NULL };
				pid_t pid;

				snprintf(script, sizeof(script), "%s/my_mod", dir);
				mkdir(script, 0755);
				snprintf(script, sizeof(script), "%s/my_mod/sub.py", dir);
				f = fopen(script, "w");
				fputs("import time\ntime.sleep(30)\n", f);
				fclose(f);
				if (chdir(dir) == 0) {
					pid = spawn(py, argv);
					service_identify(pid, NULL, 0, &si);
					CHECK(!strcmp(si.service, want ? want : "my_mod.sub") &&
					      !strcmp(si.source, want_src ? want_src : "module"), "%s (%s)",
					      si.service, si.source);
					reap(pid);
				}
			}
			{
				/* A venv's python, a symlink: /proc/PID/exe is the
				 * interpreter, argv[0] the venv's path; an exe rule
				 * matches either. */
				char venv[128], *argv[] = { venv, script, NULL };
				pid_t pid;

				snprintf(venv, sizeof(venv), "%s/venv/bin/python", dir);
				snprintf(script, sizeof(script), "%s/my-app.py", dir);
				pid = spawn(py, argv);
				rules[0] = (struct service_rule){ MATCH_EXE, "", "batch" };
				snprintf(rules[0].pattern, sizeof(rules[0].pattern), "%s/venv/bin/python*", dir);
				rules[1] = (struct service_rule){ MATCH_EXE, "/usr/bin/python3.1?", "interp" };
				service_identify(pid, rules, 2, &si);
				CHECK(!strcmp(si.service, "batch") && !strcmp(si.source, "rule"), "%s (%s)",
				      si.service, si.source);
				service_identify(pid, rules + 1, 1, &si);
				CHECK(!strcmp(si.service, "interp") && !strcmp(si.source, "rule"), "%s (%s)",
				      si.service, si.source);
				service_identify(pid, NULL, 0, &si);
				CHECK(!strcmp(si.service, want ? want : "my-app"), "%s (%s)", si.service, si.source);
				reap(pid);
			}
			{
				/* An embedding or renamed program: its executable. */
				char *argv[] = { "myembed", "-c", "import time; time.sleep(30)", NULL };
				pid_t pid = spawn(py, argv);

				service_identify(pid, NULL, 0, &si);
				CHECK(!strcmp(si.service, want ? want : "python3.11") &&
				      !strcmp(si.source, want_src ? want_src : "executable"), "%s (%s)",
				      si.service, si.source);
				reap(pid);
			}
			snprintf(script, sizeof(script), "%s/my_mod/sub.py", dir);
			unlink(script);
			snprintf(script, sizeof(script), "%s/my_mod", dir);
			rmdir(script);
			snprintf(script, sizeof(script), "%s/my-app.py", dir);
			unlink(script);
			rmdir(dir);
		}
	}
	CHECK_DONE("service");
}
