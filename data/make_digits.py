"""Export scikit-learn's copy of the UCI handwritten digits to ``data/digits.npz``.

A one-off script, kept so anyone can rebuild (and audit) the shipped file. scikit-learn is
NOT a dependency of the course; run this from a throwaway environment::

    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn
    /tmp/skl/bin/python data/make_digits.py            # writes data/digits.npz
    sha256sum data/digits.npz                          # compare with data/README.md

What it writes: a numpy ``.npz`` archive (the format ``np.savez_compressed`` writes: a
deflate-compressed zip of ``.npy`` files) holding

- ``X``: uint8, shape (1797, 64), the 8x8 images flattened row by row, pixel values 0..16;
- ``y``: uint8, shape (1797,), the digit 0..9.

One difference from calling ``np.savez_compressed`` directly: numpy stamps each zip entry
with the current time, so two exports of the same arrays differ byte for byte and no
checksum could be reproduced. This script writes the same archive with the timestamp fixed
at 1980-01-01 (the zip epoch), so a rebuild with the same scikit-learn data and the same
zlib gives the same sha256. If your zlib differs, the bytes may differ while the arrays do
not: ``--compare`` checks the arrays against an existing file instead.
"""

from __future__ import annotations

import argparse
import hashlib
import zipfile
from pathlib import Path

import numpy as np

DEFAULT_OUT = Path(__file__).resolve().parent / "digits.npz"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def export_digits():
    """Return ``(X, y)`` as uint8 arrays from ``sklearn.datasets.load_digits``."""
    from sklearn.datasets import load_digits  # only this script needs scikit-learn

    bunch = load_digits()
    data, target = bunch.data, bunch.target
    # The pixel values are counts of "on" pixels in 4x4 blocks of a 32x32 bitmap: integers
    # 0..16 stored as float64 by scikit-learn. Refuse anything else rather than truncate.
    if not (np.array_equal(data, np.round(data)) and data.min() >= 0 and data.max() <= 16):
        raise ValueError("expected integer pixel values in 0..16 from scikit-learn")
    if data.shape != (1797, 64) or target.shape != (1797,):
        raise ValueError(f"unexpected shapes {data.shape} and {target.shape}")
    return data.astype(np.uint8), target.astype(np.uint8)


def save_npz_reproducible(path, **arrays):
    """Write `arrays` like ``np.savez_compressed(path, **arrays)``, with fixed zip timestamps."""
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, value in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, mode="w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(value), allow_pickle=False)


def sha256(path) -> str:
    """Hex sha256 of a file (what ``sha256sum`` prints)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main(argv=None):
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .npz path")
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="instead of writing, check that this existing .npz holds the same arrays",
    )
    args = parser.parse_args(argv)
    X, y = export_digits()
    if args.compare is not None:
        with np.load(args.compare, allow_pickle=False) as f:
            same = np.array_equal(f["X"], X) and np.array_equal(f["y"], y)
            same = same and f["X"].dtype == X.dtype and f["y"].dtype == y.dtype
        print(f"{args.compare}: arrays {'identical' if same else 'DIFFER'}")
        raise SystemExit(0 if same else 1)
    save_npz_reproducible(args.out, X=X, y=y)
    print(f"wrote {args.out}: X {X.shape} {X.dtype}, y {y.shape} {y.dtype}")
    print(f"sha256 {sha256(args.out)}")


if __name__ == "__main__":
    main()
