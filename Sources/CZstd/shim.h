#ifndef CZstd_SHIM_H
#define CZstd_SHIM_H
#include <stddef.h>
#include <zstd.h>

/* Helpers for the parts of zstd's API that Swift imports awkwardly (macros, size_t codes).
   Only the Shards module imports CZstd. */

/* 1 when a size_t returned by zstd is an error code. */
static inline int pp_zstd_is_error(size_t code) { return ZSTD_isError(code) ? 1 : 0; }

/* A short, static description of an error code. */
static inline const char *pp_zstd_error_name(size_t code) { return ZSTD_getErrorName(code); }

#endif
