#!/usr/bin/env python3
"""Load safetensors files written by rnn with an independent reader and list their tensors.

Usage: python3 scripts/check_safetensors.py FILE [FILE ...]

Uses, in order of preference, PyTorch's `safetensors.torch.load_file`, then
`safetensors.numpy.load_file`, and otherwise a small reader written here from the
format description (struct + json, numpy if present). It also recomputes the
`rnn.sha256` digest of the data section and the `rnn.header.sha256` digest of the header. Not part of the test suite: a manual
interoperability check. Exit status 1 if any file fails to load or verify.
"""
import hashlib
import json
import struct
import sys


def load_with_library(path):
    """Returns ({name: (dtype, shape)}, loader name), or None when no library is installed."""
    try:
        from safetensors.torch import load_file
        tensors = load_file(path)
        return {n: (str(t.dtype), list(t.shape)) for n, t in tensors.items()}, "safetensors.torch"
    except ImportError:
        pass
    try:
        from safetensors.numpy import load_file
        tensors = load_file(path)
        return {n: (str(a.dtype), list(a.shape)) for n, a in tensors.items()}, "safetensors.numpy"
    except ImportError:
        return None


def read_plain(path):
    """Parses the file by the spec; returns (metadata, {name: (dtype, shape)}, data section bytes)."""
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_len].decode("utf-8"))
    data = blob[8 + header_len:]
    metadata = header.pop("__metadata__", {}) or {}
    sizes = {"F32": 4, "F64": 8}
    tensors = {}
    end_of_last = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        count = 1
        for dim in info["shape"]:
            count *= dim
        if begin != end_of_last or end - begin != count * sizes[info["dtype"]]:
            raise ValueError(f"tensor {name!r}: offsets {info['data_offsets']} do not fit")
        end_of_last = end
        tensors[name] = (info["dtype"], info["shape"])
    if end_of_last != len(data):
        raise ValueError(f"{len(data) - end_of_last} bytes after the last tensor")
    try:
        import numpy as np
        for name, info in header.items():
            begin, end = info["data_offsets"]
            dtype = {"F32": "<f4", "F64": "<f8"}[info["dtype"]]
            np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
    except ImportError:
        pass
    return metadata, tensors, data


def check(path):
    metadata, tensors, data = read_plain(path)
    loaded = load_with_library(path)
    if loaded is not None:
        tensors_by_library, loader = loaded
        if set(tensors_by_library) != set(tensors):
            raise ValueError(f"{loader} sees tensors {sorted(tensors_by_library)}")
    else:
        loader = "plain reader (install safetensors for the library check)"
    expected = metadata.get("rnn.sha256")
    if expected is not None and hashlib.sha256(data).hexdigest() != expected.lower():
        raise ValueError("rnn.sha256 does not match the data section")
    header_digest = metadata.get("rnn.header.sha256")
    if header_digest is not None:
        # The SHA-256 of the padded header with this value written as 64 zeros.
        with open(path, "rb") as f:
            blob = f.read()
        (header_len,) = struct.unpack("<Q", blob[:8])
        field = f'"rnn.header.sha256":"{header_digest}"'.encode()
        header = blob[8:8 + header_len]
        if header.count(field) != 1:
            raise ValueError("rnn.header.sha256 is not where rnn writes it")
        blanked = header.replace(field, f'"rnn.header.sha256":"{"0" * 64}"'.encode())
        if hashlib.sha256(blanked).hexdigest() != header_digest:
            raise ValueError("rnn.header.sha256 does not match the header")
    print(f"{path}: {len(tensors)} tensors, {len(data)} data bytes, loaded by {loader}")
    for key, value in metadata.items():
        shown = value if len(value) <= 70 else value[:67] + "..."
        print(f"  meta {key} = {shown}")
    for name, (dtype, shape) in tensors.items():
        print(f"  {name}: {dtype} {shape}")


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            check(path)
        except Exception as e:  # report every file, then fail
            print(f"{path}: FAILED: {type(e).__name__}: {e}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
