/* The agent's log: logfmt lines on stderr. */
#ifndef AGENT_LOGFMT_H
#define AGENT_LOGFMT_H

enum logfmt_level { LOGFMT_DEBUG, LOGFMT_INFO, LOGFMT_WARN, LOGFMT_ERROR };

/* Lines below level are not written. */
void logfmt_level(enum logfmt_level level);

/* ts=... level=... msg="..." then the key/value pairs (const char *),
 * ending with NULL. */
void logfmt(enum logfmt_level level, const char *msg, ...) __attribute__((sentinel));

#endif /* AGENT_LOGFMT_H */
