#ifndef CTurboJPEG_SHIM_H
#define CTurboJPEG_SHIM_H

#include <turbojpeg.h>

/* Decoding flags: libjpeg's defaults (accurate integer DCT, fancy upsampling), as Pillow uses. */
static const int pp_tj_decode_flags = TJFLAG_ACCURATEDCT;

/* 1 when the handle's last failure was only a warning (the pixels were still produced). */
static inline int pp_tj_last_was_warning(tjhandle handle) {
  return tjGetErrorCode(handle) == TJERR_WARNING;
}

#endif
