/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 decoding for the escapers and the topology loader (core/parse.c); no libnl, so the
 * parser fuzzer builds it alone. */
#ifndef NSL_CORE_UTF8_H
#define NSL_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/**
 * nsli_utf8_decode - the length (1..4) of the valid UTF-8 sequence at @s, of at most @left
 * bytes (a NUL-terminated string may pass SIZE_MAX), its code point in *@ret_cp (NULL
 * allowed); 0 when it is not one (overlong, surrogate, beyond U+10FFFF, cut short).
 */
size_t nsli_utf8_decode(const unsigned char *s, size_t left, uint32_t *ret_cp);

#endif
