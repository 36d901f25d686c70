#ifndef CPNG_SHIM_H
#define CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/*
 * libpng reports errors by longjmp-ing out of the failing call. Swift frames must never be
 * jumped over, so every libpng call that can fail is made from one of the pp_ functions below,
 * each of which sets its own jump target and turns an error into a return value of 0 with the
 * message left in pp_png_io.message.
 */

/* Per-handle state: the bytes being read, the bytes written so far, the last error message. */
typedef struct pp_png_io {
  const unsigned char *input;
  size_t input_size;
  size_t input_offset;
  unsigned char *output;
  size_t output_size;
  size_t output_capacity;
  char message[256];
} pp_png_io;

static void pp_png_error_fn(png_structp png, png_const_charp message) {
  pp_png_io *io = (pp_png_io *)png_get_error_ptr(png);
  if (io) {
    strncpy(io->message, message ? message : "unknown libpng error", sizeof(io->message) - 1);
    io->message[sizeof(io->message) - 1] = 0;
  }
  png_longjmp(png, 1);
}

/* Warnings (unknown chunks, benign errors) are not failures; keep stderr quiet. */
static void pp_png_warning_fn(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;
}

static void pp_png_read_fn(png_structp png, png_bytep out, size_t length) {
  pp_png_io *io = (pp_png_io *)png_get_io_ptr(png);
  if (io->input_size - io->input_offset < length) {
    png_error(png, "image file is truncated");
  }
  memcpy(out, io->input + io->input_offset, length);
  io->input_offset += length;
}

static void pp_png_write_fn(png_structp png, png_bytep data, size_t length) {
  pp_png_io *io = (pp_png_io *)png_get_io_ptr(png);
  if (io->output_capacity - io->output_size < length) {
    size_t capacity = io->output_capacity ? io->output_capacity : 4096;
    while (capacity - io->output_size < length) {
      capacity *= 2;
    }
    unsigned char *grown = (unsigned char *)realloc(io->output, capacity);
    if (!grown) {
      png_error(png, "out of memory");
    }
    io->output = grown;
    io->output_capacity = capacity;
  }
  memcpy(io->output + io->output_size, data, length);
  io->output_size += length;
}

static void pp_png_flush_fn(png_structp png) { (void)png; }

static inline png_structp pp_png_create_reader(pp_png_io *io) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, io, pp_png_error_fn, pp_png_warning_fn);
  if (png) {
    png_set_read_fn(png, io, pp_png_read_fn);
  }
  return png;
}

static inline png_structp pp_png_create_writer(pp_png_io *io) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, io, pp_png_error_fn, pp_png_warning_fn);
  if (png) {
    png_set_write_fn(png, io, pp_png_write_fn, pp_png_flush_fn);
  }
  return png;
}

/*
 * Reads the chunks up to the image data. CRCs of the chunks before the image data are checked by
 * the caller, as Pillow does; IDAT CRCs are not checked, as Pillow does not. The size limit is
 * the caller's too.
 */
static inline int pp_png_read_info(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) {
    return 0;
  }
  png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_read_info(png, info);
  return 1;
}

/* Asks for one byte per sample below 8 bits (values unscaled) and for de-interlaced rows. */
static inline int pp_png_prepare_rows(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) {
    return 0;
  }
  if (png_get_bit_depth(png, info) < 8) {
    png_set_packing(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return 1;
}

static inline int pp_png_read_rows(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) {
    return 0;
  }
  png_read_image(png, rows);
  return 1;
}

/* Writes an 8-bit image (color_type PNG_COLOR_TYPE_GRAY or PNG_COLOR_TYPE_RGB) to io->output. */
static inline int pp_png_write(
    png_structp png, png_infop info, png_uint_32 width, png_uint_32 height, int color_type,
    png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) {
    return 0;
  }
  png_set_IHDR(
      png, info, width, height, 8, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
      PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, info);
  return 1;
}

#endif
