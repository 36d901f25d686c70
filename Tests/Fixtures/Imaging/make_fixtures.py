#!/usr/bin/env python3
"""Makes the ImagingTests fixtures and records what Pillow does with each of them.

Run from anywhere (Pillow 13 and numpy needed; libturbojpeg.so.0 for the YCCK, 4:4:0 and 4:1:1
JPEGs, which Pillow cannot write):

    python3 Tests/Fixtures/Imaging/make_fixtures.py

Writes into this folder:
  files/<name>            the input files (JPEG, PNG, broken files)
  expected/<name>.rgb     Image.open(file).convert('RGB') as raw bytes (row-major, r g b)
  expected/<name>.l       Image.open(file).convert('L') as raw bytes
  expected/<resize>.rgb   Pillow resize results (see manifest.json)
  manifest.json           what each file is, Pillow's mode, and the error code the decoder must give
The ImagingTests read only these files (they live outside the test target folder so SwiftPM
does not ask to declare them as resources); Python is never needed at test time.
"""

import ctypes
import io
import json
import os
import re
import struct
import zlib

import numpy as np
from PIL import Image, ImageCms

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")
EXPECTED = os.path.join(HERE, "expected")
W, H = 40, 30

rng = np.random.default_rng(20240611)


def smooth_rgb(w, h, seed):
    """Gradients, a hard edge and some noise: enough detail for codecs and filters to differ."""
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack(
        [
            255 * x / max(w - 1, 1),
            255 * y / max(h - 1, 1),
            127 + 120 * np.sin((x + 2 * y) / 3.0),
        ],
        axis=-1,
    )
    base[(x > w // 2) & (y < h // 2)] = [250, 20, 40]
    base += r.normal(0, 12, base.shape)
    return np.clip(base, 0, 255).astype(np.uint8)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def adam7_passes(w, h):
    starts = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    for x0, y0, dx, dy in starts:
        xs = list(range(x0, w, dx))
        ys = list(range(y0, h, dy))
        if xs and ys:
            yield xs, ys


def pack_row(samples, depth):
    """Packs one row of integer samples at `depth` bits (big-endian, MSB first)."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in samples)
    if depth == 8:
        return bytes(int(v) for v in samples)
    per = 8 // depth
    out = bytearray()
    for i in range(0, len(samples), per):
        byte = 0
        group = list(samples[i : i + per]) + [0] * (per - len(samples[i : i + per]))
        for v in group:
            byte = (byte << depth) | int(v)
        out.append(byte)
    return bytes(out)


def make_png(samples, depth, color_type, plte=None, trns=None, extra=b"", interlace=False):
    """A PNG written by hand, so every bit depth and colour type Pillow reads can be made.
    `samples` is h x w x channels (integers)."""
    h, w, _ = samples.shape
    rows = []
    if interlace:
        for xs, ys in adam7_passes(w, h):
            for y in ys:
                rows.append(b"\x00" + pack_row(samples[y, xs].reshape(-1), depth))
    else:
        for y in range(h):
            rows.append(b"\x00" + pack_row(samples[y].reshape(-1), depth))
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
    if plte is not None:
        out += chunk(b"PLTE", bytes(plte))
    if trns is not None:
        out += chunk(b"tRNS", bytes(trns))
    data = zlib.compress(b"".join(rows), 9)
    # Two IDAT chunks, as large encoders write.
    half = len(data) // 2
    out += chunk(b"IDAT", data[:half]) + chunk(b"IDAT", data[half:])
    return out + chunk(b"IEND", b"")


def turbojpeg_compress(pixels, pixel_format, subsampling, quality=90):
    """libjpeg-turbo's TurboJPEG API, for JPEG variants Pillow cannot write."""
    tj = ctypes.CDLL("libturbojpeg.so.0")
    tj.tjInitCompress.restype = ctypes.c_void_p
    handle = tj.tjInitCompress()
    h, w, channels = pixels.shape
    buf = ctypes.POINTER(ctypes.c_ubyte)()
    size = ctypes.c_ulong(0)
    src = np.ascontiguousarray(pixels)
    rc = tj.tjCompress2(
        ctypes.c_void_p(handle),
        src.ctypes.data_as(ctypes.POINTER(ctypes.c_ubyte)),
        w,
        w * channels,
        h,
        pixel_format,
        ctypes.byref(buf),
        ctypes.byref(size),
        subsampling,
        quality,
        4096,  # TJFLAG_ACCURATEDCT
    )
    assert rc == 0, "tjCompress2 failed"
    data = ctypes.string_at(buf, size.value)
    tj.tjFree(buf)
    tj.tjDestroy(ctypes.c_void_p(handle))
    return data


def jpeg_bytes(image, **options):
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def png_bytes(image, **options):
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def exif_with_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def main():
    os.makedirs(FILES, exist_ok=True)
    os.makedirs(EXPECTED, exist_ok=True)
    rgb = smooth_rgb(W, H, 1)
    odd = smooth_rgb(41, 29, 2)
    gray = rgb[:, :, 0] // 2 + rgb[:, :, 1] // 3
    rgb_image = Image.fromarray(rgb, "RGB")
    srgb_icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    srgb_icc[24:36] = bytes(12)  # creation date: keep the fixtures reproducible
    srgb_icc = bytes(srgb_icc)

    files = {}  # name -> (bytes, what it is)

    # JPEG variants.
    files["rgb-420.jpg"] = (jpeg_bytes(rgb_image, quality=90, subsampling=2), "YCbCr 4:2:0 (Pillow's default)")
    files["rgb-422.jpg"] = (jpeg_bytes(rgb_image, quality=90, subsampling=1), "YCbCr 4:2:2")
    files["rgb-444.jpg"] = (jpeg_bytes(rgb_image, quality=95, subsampling=0), "YCbCr 4:4:4")
    files["odd-420.jpg"] = (
        jpeg_bytes(Image.fromarray(odd, "RGB"), quality=85, subsampling=2),
        "41x29 (odd size) 4:2:0: partial MCUs and fancy-upsampling edges",
    )
    files["progressive.jpg"] = (jpeg_bytes(rgb_image, quality=90, progressive=True), "progressive 4:2:0")
    files["optimized-restart.jpg"] = (
        jpeg_bytes(rgb_image, quality=80, optimize=True, restart_marker_blocks=3),
        "optimised Huffman tables and restart markers",
    )
    files["rgb-colorspace.jpg"] = (
        jpeg_bytes(rgb_image, quality=90, keep_rgb=True),
        "stored as RGB, not YCbCr (Adobe transform 0)",
    )
    files["gray.jpg"] = (jpeg_bytes(Image.fromarray(gray, "L"), quality=90), "1 component (mode L)")
    files["cmyk.jpg"] = (
        jpeg_bytes(rgb_image.convert("CMYK"), quality=90),
        "4 components, Adobe inverted CMYK as Pillow writes it",
    )
    cmyk_pixels = np.asarray(rgb_image.convert("CMYK"))
    files["ycck.jpg"] = (
        turbojpeg_compress(cmyk_pixels, 11, 2),  # TJPF_CMYK, TJSAMP_420: an Adobe YCCK file
        "4 components stored as YCCK (Adobe transform 2), written by libjpeg-turbo",
    )
    files["rgb-440.jpg"] = (turbojpeg_compress(rgb, 0, 4), "YCbCr 4:4:0 (vertical subsampling), libjpeg-turbo")
    files["rgb-411.jpg"] = (turbojpeg_compress(rgb, 0, 5), "YCbCr 4:1:1, libjpeg-turbo")
    files["exif-rotated.jpg"] = (
        jpeg_bytes(rgb_image, quality=90, exif=exif_with_orientation(6)),
        "EXIF orientation 6 (ignored by open+convert)",
    )
    files["icc.jpg"] = (jpeg_bytes(rgb_image, quality=90, icc_profile=srgb_icc), "embedded ICC profile (ignored)")

    # PNG variants, hand-written so that every depth and colour type is covered.
    g = gray.reshape(H, W, 1).astype(np.uint32)
    files["gray8.png"] = (make_png(g, 8, 0), "gray 8 bit (L)")
    files["gray1.png"] = (make_png(g >> 7, 1, 0), "gray 1 bit (mode 1)")
    files["gray2.png"] = (make_png(g >> 6, 2, 0), "gray 2 bit (L;2)")
    files["gray4.png"] = (make_png(g >> 4, 4, 0), "gray 4 bit (L;4)")
    g16 = (g * 3 + rng.integers(0, 2, g.shape)).astype(np.uint32)  # 0..765: some above 255
    files["gray16.png"] = (make_png(g16, 16, 0), "gray 16 bit (I;16): convert clips at 255")
    files["gray8-trns.png"] = (make_png(g, 8, 0, trns=struct.pack(">H", 40)), "gray 8 bit with tRNS")
    files["gray-alpha8.png"] = (
        make_png(np.concatenate([g, 255 - g], axis=2), 8, 4),
        "gray + alpha 8 bit (LA): alpha dropped",
    )
    ga16 = np.concatenate([g * 257 + 7, (255 - g) * 257], axis=2)
    files["gray-alpha16.png"] = (make_png(ga16, 16, 4), "gray + alpha 16 bit (LA;16B): high byte")
    files["rgb8.png"] = (make_png(rgb.astype(np.uint32), 8, 2), "RGB 8 bit")
    rgb16 = rgb.astype(np.uint32) * 256 + rng.integers(0, 256, rgb.shape)
    files["rgb16.png"] = (make_png(rgb16, 16, 2), "RGB 16 bit (RGB;16B): high byte")
    files["rgb8-trns.png"] = (
        make_png(rgb.astype(np.uint32), 8, 2, trns=struct.pack(">HHH", 250, 20, 40)),
        "RGB 8 bit with tRNS",
    )
    alpha = (np.arange(W * H).reshape(H, W, 1) * 7 % 256).astype(np.uint32)
    files["rgba8.png"] = (
        make_png(np.concatenate([rgb.astype(np.uint32), alpha], axis=2), 8, 6),
        "RGBA 8 bit: alpha dropped, no compositing",
    )
    files["rgba16.png"] = (
        make_png(np.concatenate([rgb16, alpha * 257], axis=2), 16, 6),
        "RGBA 16 bit: high byte, alpha dropped",
    )
    files["rgb8-interlaced.png"] = (make_png(rgb.astype(np.uint32), 8, 2, interlace=True), "RGB 8 bit, Adam7")
    files["gray2-interlaced.png"] = (make_png(g >> 6, 2, 0, interlace=True), "gray 2 bit, Adam7")
    files["rgb8-metadata.png"] = (
        make_png(
            rgb.astype(np.uint32),
            8,
            2,
            extra=chunk(b"gAMA", struct.pack(">I", 100000))
            + chunk(b"iCCP", b"sRGB\x00\x00" + zlib.compress(srgb_icc))
            + chunk(b"tEXt", b"Comment\x00made for PixelProbe tests"),
        ),
        "RGB with gAMA 1.0, iCCP and tEXt (all ignored)",
    )
    palette = rng.integers(0, 256, (256, 3)).astype(np.uint8).reshape(-1)
    indices8 = ((rgb[:, :, 0].astype(np.uint32) + rgb[:, :, 2]) % 256).reshape(H, W, 1)
    files["palette8.png"] = (make_png(indices8, 8, 3, plte=palette), "palette 8 bit")
    files["palette4-trns.png"] = (
        make_png(indices8 % 16, 4, 3, plte=palette[: 16 * 3], trns=bytes(range(0, 256, 37))),
        "palette 4 bit with a tRNS alpha table",
    )
    files["palette1.png"] = (make_png(indices8 % 2, 1, 3, plte=[200, 10, 10, 10, 10, 200]), "palette 1 bit")
    files["palette2-short.png"] = (
        make_png(indices8 % 4, 2, 3, plte=[9, 99, 199, 250, 128, 5]),
        "palette 2 bit, indices 2 and 3 past the 2-entry PLTE (Pillow: black)",
    )
    files["pillow-rgb.png"] = (png_bytes(rgb_image, optimize=True), "RGB written by Pillow (adaptive filters)")
    files["pillow-p.png"] = (
        png_bytes(rgb_image.quantize(colors=13)),
        "palette image written by Pillow (bits chosen by Pillow)",
    )

    # Files that decode although a check fails somewhere Pillow does not look.
    idat_bad_crc = bytearray(files["rgb8.png"][0])
    pos = idat_bad_crc.find(b"IDAT")
    length = struct.unpack(">I", idat_bad_crc[pos - 4 : pos])[0]
    idat_bad_crc[pos + 4 + length] ^= 0xFF  # first byte of the first IDAT's CRC
    files["idat-bad-crc.png"] = (bytes(idat_bad_crc), "wrong CRC on an IDAT chunk (Pillow does not check it)")
    files["no-iend.png"] = (files["rgb8.png"][0][:-12], "IEND chunk missing (Pillow reads the image anyway)")

    # Broken files: name -> (bytes, code our decoder gives, what it is).
    broken = {}
    whole_jpeg = files["rgb-420.jpg"][0]
    broken["no-eoi.jpg"] = (whole_jpeg[:-2], "corrupt", "JPEG without its final EOI marker")
    broken["truncated.jpg"] = (whole_jpeg[: len(whole_jpeg) * 2 // 3], "corrupt", "JPEG cut inside the scan")
    progressive = files["progressive.jpg"][0]
    broken["truncated-progressive.jpg"] = (
        progressive[: len(progressive) // 2],
        "corrupt",
        "progressive JPEG cut after some scans",
    )
    whole_png = files["rgb8.png"][0]
    broken["truncated.png"] = (whole_png[: len(whole_png) * 2 // 3], "corrupt", "PNG cut inside IDAT")
    bad_crc = bytearray(whole_png)
    bad_crc[8 + 8 + 13] ^= 0x01  # IHDR's CRC
    broken["bad-crc.png"] = (bytes(bad_crc), "corrupt", "wrong IHDR CRC")
    bad_data = bytearray(whole_png)
    pos = bad_data.find(b"IDAT") + 4 + 20
    bad_data[pos : pos + 8] = b"\x00" * 8
    broken["bad-zlib.png"] = (bytes(bad_data), "corrupt", "damaged compressed image data")
    broken["empty.jpg"] = (b"", "empty", "zero bytes")
    broken["text.jpg"] = (b"This is a text file, not a JPEG.\n", "unsupportedFormat", "text named .jpg")
    broken["gif-named.png"] = (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "unsupportedFormat", "a GIF named .png")
    huge_png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
    broken["huge.png"] = (huge_png, "tooLarge", "IHDR claims 100000x100000")
    huge_jpeg = bytearray(whole_jpeg)
    sof = huge_jpeg.find(b"\xff\xc0")
    huge_jpeg[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)
    broken["huge.jpg"] = (bytes(huge_jpeg), "tooLarge", "SOF claims 60000x60000")
    broken["jpeg-header-only.jpg"] = (whole_jpeg[:2] + whole_jpeg[2:20], "corrupt", "SOI and part of APP0")
    broken["png-signature-only.png"] = (b"\x89PNG\r\n\x1a\n", "corrupt", "PNG signature and nothing else")

    manifest = {"decode": [], "broken": [], "resize": []}
    for name, (data, what) in sorted(files.items()):
        with open(os.path.join(FILES, name), "wb") as f:
            f.write(data)
        im = Image.open(io.BytesIO(data))
        mode, fmt = im.mode, im.format
        as_rgb = np.asarray(im.convert("RGB"))
        as_l = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
        as_rgb.tofile(os.path.join(EXPECTED, name + ".rgb"))
        as_l.tofile(os.path.join(EXPECTED, name + ".l"))
        manifest["decode"].append(
            {
                "file": name,
                "what": what,
                "pillowMode": mode,
                "pillowFormat": fmt,
                "width": im.width,
                "height": im.height,
                "rgb": name + ".rgb",
                "gray": name + ".l",
            }
        )

    for name, (data, code, what) in sorted(broken.items()):
        with open(os.path.join(FILES, name), "wb") as f:
            f.write(data)
        try:
            Image.open(io.BytesIO(data)).convert("RGB")
            pillow = "decoded"
        except Exception as error:  # record what Pillow says, for the reader
            pillow = re.sub(r" at 0x[0-9a-f]+", "", f"{type(error).__name__}: {error}")
        assert pillow != "decoded", name
        manifest["broken"].append({"file": name, "code": code, "what": what, "pillow": pillow})

    # Resizes, each from a Pillow-decoded source (so they test the resampler alone).
    sources = {
        "rgb8.png": rgb_image,
        "odd-420.jpg": Image.open(os.path.join(FILES, "odd-420.jpg")).convert("RGB"),
    }
    noise = Image.fromarray(rng.integers(0, 256, (87, 151, 3)).astype(np.uint8), "RGB")
    noise.save(os.path.join(FILES, "noise-151x87.png"))
    sources["noise-151x87.png"] = noise
    stripes = np.zeros((90, 120, 3), np.uint8)
    stripes[:, ::2] = 255
    stripes[::3, :, 1] = 255
    Image.fromarray(stripes, "RGB").save(os.path.join(FILES, "stripes-120x90.png"))
    sources["stripes-120x90.png"] = Image.fromarray(stripes, "RGB")
    sizes = {
        "rgb8.png": [(97, 71), (64, 64), (7, 5), (1, 1), (40, 13), (13, 30), (23, 45), (131, 97), (2, 301)],
        "odd-420.jpg": [(64, 64), (20, 15), (82, 58)],
        "noise-151x87.png": [(64, 64), (17, 200), (150, 86), (33, 1)],
        "stripes-120x90.png": [(64, 64), (61, 45), (121, 91), (8, 6)],
    }
    filters = {"bicubic": Image.Resampling.BICUBIC, "nearest": Image.Resampling.NEAREST}
    for source, targets in sizes.items():
        for w, h in targets:
            for filter_name, filter_value in filters.items():
                out = sources[source].resize((w, h), filter_value)
                name = f"resize-{filter_name}-{source.split('.')[0]}-{w}x{h}.rgb"
                np.asarray(out).tofile(os.path.join(EXPECTED, name))
                manifest["resize"].append(
                    {"source": source, "filter": filter_name, "width": w, "height": h, "expected": name}
                )
    # NEAREST on a gray mask (mode L), as masks are resized.
    mask = Image.fromarray(((gray > 90) * 255).astype(np.uint8), "L")
    mask.save(os.path.join(FILES, "mask.png"))
    manifest["grayNearest"] = []
    for w, h in [(64, 64), (7, 5), (97, 71), (40, 13)]:
        name = f"resize-nearest-mask-{w}x{h}.l"
        np.asarray(mask.resize((w, h), Image.Resampling.NEAREST)).tofile(os.path.join(EXPECTED, name))
        manifest["grayNearest"].append({"source": "mask.png", "width": w, "height": h, "expected": name})

    manifest["pillow"] = Image.__version__
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
