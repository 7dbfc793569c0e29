/* The subcommands of pybpftop. */
#ifndef COMMANDS_H
#define COMMANDS_H

int cmd_record(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_alloc(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif /* COMMANDS_H */
