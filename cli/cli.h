/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line front end. Only cli/ prints; only cli/main.c argument parsing may die().
 * Each object lives in cli/<object>.c and exports one `const struct cli_object`, listed in
 * the table in cli/main.c.
 */
#ifndef NSL_CLI_H
#define NSL_CLI_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nslab/nslab.h"

struct cli {
	struct nsl_ctx *ctx;
	bool json, pretty, quiet, force;
	const char *object, *verb; /* for messages */
	const char *argv0_netns;   /* -n NAME as given */
};

struct cli_verb {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
};

struct cli_object {
	const char *name;
	const struct cli_verb *verbs; /* NULL-terminated */
	const char *usage;	      /* printed by `nslab OBJECT help`, ends in \n */
	/* An object whose grammar is `nslab OBJECT ARGS` with no verb (up, down, run, ...). */
	int (*direct)(struct cli *c, int argc, char **argv);
};

/* ---- errors (cli/main.c) ---- */

/** Print "nslab: OBJECT VERB 'NAME': MSG[: EXTACK]" and return the exit code of @err->kind. */
int cli_fail(struct cli *c, const char *name, const struct nsl_err *err);
/** cli_fail_exit - cli_fail() with exit status @exitc (126/127 of a command not run). */
int cli_fail_exit(struct cli *c, const char *name, const struct nsl_err *err, int exitc);
/** Usage error: one line plus "Try 'nslab OBJECT help'."; returns 1. */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Exit code for a library error kind. */
int cli_exit_code(enum nsl_err_kind kind);

/* ---- keyword/value arguments (cli/args.c) ---- */

/* How a keyword's value is stored when it has no setter of its own. */
enum cli_kw_type {
	CLI_T_CUSTOM = 0, /* call ->set */
	CLI_T_STR,	  /* const char * */
	CLI_T_IFNAME,	  /* const char *, checked with nsl_parse_ifname */
	CLI_T_MTU,	  /* uint32_t, checked with nsl_parse_mtu */
	CLI_T_U32,	  /* uint32_t, any decimal */
	CLI_T_FLAG,	  /* bool, set to true; takes no value */
	CLI_T_TRI,	  /* enum nsl_tri from on/off */
};

/**
 * struct cli_kw - one keyword of a verb's grammar.
 * @name:   the exact keyword
 * @takes:  0 for a flag, 1 when it is followed by a value
 * @repeat: may be given more than once
 * @set:    store the value (NULL for a flag) into @opts; return 0 or a negative errno with
 *          @err filled (nsl_parse_* functions do that). NULL: use @type and @off.
 * @type:   with @set NULL, how to check and store the value at @opts + @off
 */
struct cli_kw {
	const char *name;
	int takes;
	bool repeat;
	int (*set)(void *opts, const char *val, struct nsl_err *err);
	enum cli_kw_type type;
	size_t off;
};

/* Table entries for the common cases: CLI_KW(T_MTU, "mtu", struct veth_opts, v.mtu). */
#define CLI_KW(t, kw, type_, field)                                                                \
	{ .name = (kw), .takes = (CLI_##t != CLI_T_FLAG), .type = CLI_##t,                         \
	  .off = __builtin_offsetof(type_, field) }

/**
 * cli_parse_kw - walk @argv as keyword/value pairs against @tbl. Unknown keywords, a missing
 * value and a repeated keyword are usage errors. Return: 0, or the exit code already reported.
 */
int cli_parse_kw(struct cli *c, const char *name, const struct cli_kw *tbl, void *opts, int argc,
		 char **argv);
/** A validated argument: 0, or reports @err via cli_fail and returns its exit code. */
int cli_check(struct cli *c, const char *name, int r, const struct nsl_err *err);

/* ---- output (cli/print.c): one call prints either text or JSON ---- */

void pr_init(struct cli *c);
void pr_flush(struct cli *c);
void pr_array_begin(struct cli *c, const char *key);
void pr_array_end(struct cli *c);
void pr_obj_begin(struct cli *c, const char *key);
void pr_obj_end(struct cli *c);
/* Text: printf(@fmt, v) when @fmt is not NULL. JSON: "key": v. */
void pr_str(struct cli *c, const char *key, const char *fmt, const char *v);
void pr_uint(struct cli *c, const char *key, const char *fmt, uint64_t v);
void pr_int(struct cli *c, const char *key, const char *fmt, int64_t v);
void pr_bool(struct cli *c, const char *key, const char *fmt, bool v);
/* Text only. */
void pr_text(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON string escaping into any FILE. */
void pr_json_string(FILE *f, const char *s);

/* `netns exec NAME CMD...`, implemented by the launcher's CLI (cli/run.c). */
int cli_netns_exec(struct cli *c, int argc, char **argv);

/* ---- printers shared between objects (cli/link.c) ---- */
void cli_print_link(struct cli *c, const struct nsl_link_info *l);
int cli_show_links(struct cli *c, const char *ifname, const char *kind, const char *master);

/* ---- objects ---- */
extern const struct cli_object cli_obj_netns;
extern const struct cli_object cli_obj_veth;
extern const struct cli_object cli_obj_bridge;
extern const struct cli_object cli_obj_link;
extern const struct cli_object cli_obj_addr;
extern const struct cli_object cli_obj_route;
extern const struct cli_object cli_obj_dns;
extern const struct cli_object cli_obj_hosts;
extern const struct cli_object cli_obj_sysctl;
extern const struct cli_object cli_obj_nic;
extern const struct cli_object cli_obj_run;
extern const struct cli_object cli_obj_enter;
extern const struct cli_object cli_obj_up, cli_obj_down, cli_obj_status, cli_obj_plan,
	cli_obj_graph, cli_obj_test, cli_obj_exec, cli_obj_logs, cli_obj_convert;

#endif
