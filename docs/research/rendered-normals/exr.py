"""Minimal OpenEXR scanline reader (single- and multi-part; NONE / ZIPS / ZIP compression;
HALF/FLOAT/UINT channels), numpy + zlib only. Blender 5.0 writes multilayer EXRs as
multi-part files (one part per pass); 4.x writes single-part files with all channels.
read_exr(path) -> dict channel_name -> (H, W) float32 array, row 0 = top of image."""
import struct, zlib
import numpy as np

_TYPES = {0: np.uint32, 1: np.float16, 2: np.float32}
_LINES = {0: 1, 2: 1, 3: 16}  # NONE, ZIPS, ZIP


def _undo_zip(raw: bytes) -> bytes:
    t = np.frombuffer(raw, dtype=np.uint8).astype(np.int64)
    t = ((np.cumsum(t - 128) + 128) % 256).astype(np.uint8)  # predictor: t[i] = t[i-1] + t[i] - 128
    half = (len(t) + 1) // 2
    out = np.empty_like(t)
    out[0::2] = t[:half]
    out[1::2] = t[half:]
    return out.tobytes()


def _header(data, pos):
    hdr = {}
    while data[pos] != 0:
        e = data.index(b'\0', pos); name = data[pos:e].decode(); pos = e + 1
        e = data.index(b'\0', pos); typ = data[pos:e].decode(); pos = e + 1
        size = struct.unpack_from('<i', data, pos)[0]; pos += 4
        hdr[name] = (typ, data[pos:pos + size]); pos += size
    return hdr, pos + 1


def _channels(hdr):
    chl, channels, p = hdr['channels'][1], [], 0
    while chl[p] != 0:
        e = chl.index(b'\0', p); nm = chl[p:e].decode(); p = e + 1
        pt = struct.unpack_from('<i', chl, p)[0]; p += 16
        channels.append((nm, pt))
    return channels


def read_exr(path):
    data = open(path, 'rb').read()
    assert data[:4] == b'\x76\x2f\x31\x01', 'not an EXR'
    flags = struct.unpack_from('<I', data, 4)[0]
    assert not (flags & 0x200), 'tiled EXR not supported'
    multipart = bool(flags & 0x1000)
    pos, headers = 8, []
    if multipart:
        while data[pos] != 0:
            h, pos = _header(data, pos)
            headers.append(h)
        pos += 1
    else:
        h, pos = _header(data, pos)
        headers.append(h)
    parts = []
    for h in headers:
        comp = h['compression'][1][0]
        assert comp in _LINES, f'compression {comp} not supported (use NONE/ZIP/ZIPS)'
        x0, y0, x1, y1 = struct.unpack('<4i', h['dataWindow'][1])
        lpb = _LINES[comp]
        H = y1 - y0 + 1
        n = struct.unpack('<i', h['chunkCount'][1])[0] if 'chunkCount' in h else (H + lpb - 1) // lpb
        offs = struct.unpack_from(f'<{n}Q', data, pos); pos += 8 * n
        parts.append((h, comp, (x0, y0, x1, y1), lpb, offs))
    out = {}
    for h, comp, (x0, y0, x1, y1), lpb, offs in parts:
        W, H = x1 - x0 + 1, y1 - y0 + 1
        channels = _channels(h)
        prefix = ''
        if multipart and 'name' in h:
            # Blender names channels fully ("ViewLayer.Normal.X") in each part; keep as is
            prefix = ''
        arrs = {nm: np.zeros((H, W), np.float32) for nm, _ in channels}
        for off in offs:
            if multipart:
                off += 4  # part number
            y, size = struct.unpack_from('<ii', data, off)
            blk = data[off + 8: off + 8 + size]
            nl = min(lpb, y1 - y + 1)
            expected = sum(np.dtype(_TYPES[pt]).itemsize for _, pt in channels) * W * nl
            if comp != 0 and size < expected:
                blk = _undo_zip(zlib.decompress(blk))
            q = 0
            for line in range(nl):
                for nm, pt in channels:
                    dt = np.dtype(_TYPES[pt]).newbyteorder('<')
                    arrs[nm][y - y0 + line] = np.frombuffer(blk, dt, W, q).astype(np.float32)
                    q += W * dt.itemsize
        for nm, a in arrs.items():
            key = nm
            if multipart and 'name' in h and '.' not in nm:
                key = h['name'][1].decode().rstrip('\0') + '.' + nm
            out[prefix + key] = a
    return out
