#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
#include <cblas.h>

// Row-major single-precision GEMM, C = alpha * op(A) * op(B) + beta * C, with plain ints for the
// transposition flags so Swift need not spell CBLAS enum types.
static inline void pixelprobe_sgemm_rowmajor(int trans_a, int trans_b, int m, int n, int k, float alpha,
                                             const float *a, int lda, const float *b, int ldb,
                                             float beta, float *c, int ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// OpenBLAS keeps one process-wide thread count; workers parallelise across shards, so the model
// asks for 1 by default.
static inline void pixelprobe_blas_set_threads(int threads) { openblas_set_num_threads(threads); }

static inline int pixelprobe_blas_get_threads(void) { return openblas_get_num_threads(); }

static inline const char *pixelprobe_blas_config(void) { return openblas_get_config(); }

#endif
