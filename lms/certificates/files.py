"""Files the certificates package keeps in the instance folder (kept PDFs and credentials, share
cards, the active-key marker): written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``: a reader (another
    worker) sees the old file or the new one, never half of one, and each write is a new inode.
    The folder is made 0700 and the file is 0600 (a PDF carries the learner's full name)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_once(path: Path, data: bytes) -> bytes:
    """Keep ``data`` at ``path`` unless a file is already there; the bytes kept either way.

    The first writer wins (a hard link never replaces a file), so two workers signing the same
    certificate at once agree on one credential, and the PDF embeds the very bytes the
    download serves."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: rename (the last writer wins)
            if path.exists():
                return path.read_bytes()
            os.replace(tmp, path)
    except FileExistsError:
        return path.read_bytes()
    finally:
        Path(tmp).unlink(missing_ok=True)
    return data
