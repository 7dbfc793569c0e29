/* pybpftop: an eBPF profiler for CPython. */
#include <stdio.h>
#include <string.h>
#include "cmd/commands.h"
#include "out/writers.h"
#include "python/versions.h"

static const char usage[] =
"Usage: pybpftop COMMAND [OPTIONS]\n"
"\n"
"Commands:\n"
"  record -p PID [-d SECONDS] [-r HZ] [-o FILE]   sample running Python processes\n"
"  record [-o FILE] [--subprocesses] -- CMD ...   run a command and sample it\n"
"  top -p PID [--batch -n N] [--lines]             where the time goes, refreshed\n"
"  dump -p PID [--locals] [--json]                every thread's Python stack, once\n"
"  alloc -p PID [-d SECONDS] [--exact]            which lines allocate and hold memory\n"
"  alloc show SNAPSHOT | diff OLD NEW             read or compare alloc snapshots\n"
"  agent [--spool DIR] [--push URL] ...           profile every Python process of the host, always\n"
"  report DIR [--since WHEN] [--service NAME]     merge the agent's spooled windows\n"
"  -p PID ...                                     the same as top -p PID ...\n"
"\n"
"Run 'pybpftop COMMAND --help' for a command's options.\n";

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "alloc"))
		return cmd_alloc(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "agent"))
		return cmd_agent(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "top"))
		return cmd_top(argc - 1, argv + 1);
	/* `pybpftop -p PID` is the live view, as `top` is. */
	if (argc >= 2 && (!strncmp(argv[1], "-p", 2) || !strncmp(argv[1], "--pid", 5)))
		return cmd_top(argc, argv);
	/* Hidden: the output formats as the README lists them. */
	if (argc >= 2 && !strcmp(argv[1], "--list-formats")) {
		writer_print_table(stdout);
		return 0;
	}
	/* Hidden: the version registry, tab-separated, for the test helpers. */
	if (argc == 2 && !strcmp(argv[1], "--list-versions"))
		return py_version_list(stdout) ? 1 : 0;
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}
