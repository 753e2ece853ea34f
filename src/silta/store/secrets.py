"""Credentials at rest: Fernet ciphertext of a JSON document, and where the key comes from.

The key is ``SILTA_SECRET_KEY`` when set (several keys separated by commas rotate it: the
first encrypts, every one decrypts). Otherwise it is read from a key file, and generated
there on first use, so that the embedded default works out of the box. Generating is safe
only while the database holds no ciphertext: a fresh key could not read what an old one
wrote, so a missing key file beside existing credentials is an error, not a new key.

The key file is written to a private temporary file (mode 0600) and hard-linked into place,
so two processes starting at once agree on one key and nobody ever reads a half-written
file.

Nothing here puts a key or a plaintext into a message, a ``repr`` or a log line.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from silta.store.errors import SecretKeyError

__all__ = ["ENV_NAME", "KEY_FILE_NAME", "KeyRing", "default_key_file", "parse_keys"]

logger = logging.getLogger(__name__)

ENV_NAME = "SILTA_SECRET_KEY"
KEY_FILE_NAME = "silta.key"


def default_key_file(database: Path | None) -> Path:
    """Where a database's key is kept when neither ``SILTA_SECRET_KEY`` nor
    ``SILTA_SECRET_KEY_FILE`` says: beside a SQLite database file, named after it
    (``silta.db`` → ``silta.key``, ``silta-demo.db`` → ``silta-demo.key``), else
    ``silta.key`` in the working directory (PostgreSQL).

    A key belongs to its database: every command given a database's URL finds that
    database's key wherever it runs, and two databases in one folder (the demo's and a real
    one) never share or overwrite a key. A database made before this rule kept its key as
    ``silta.key`` beside it; while the database exists and no key of its own name does, that
    file is its key.
    """
    if database is None:
        return Path.cwd() / KEY_FILE_NAME
    folder = database.resolve().parent
    own = folder / f"{database.stem}.key"
    earlier = folder / KEY_FILE_NAME
    if not own.exists() and earlier.exists() and database.exists():
        return earlier
    return own


def parse_keys(text: str, *, source: str) -> MultiFernet:
    """One or more comma-separated Fernet keys; the first encrypts.

    Raises:
        SecretKeyError: a key is not 32 url-safe base64-encoded bytes (the message names the
            source, never the key).
    """
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise SecretKeyError(f"{source} is empty")
    try:
        return MultiFernet([Fernet(part) for part in parts])
    except (ValueError, TypeError):
        raise SecretKeyError(
            f"{source} is not a Fernet key (32 url-safe base64-encoded bytes); make one with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`'
        ) from None


class KeyRing:
    """Encrypts and decrypts JSON documents; finds its key on first use.

    Args:
        keys: the configured key(s); ``None`` means use ``key_file``.
        key_file: read, or generated on first use, when ``keys`` is ``None``.
        may_generate: asked before generating a key file; answers whether the database is
            free of ciphertext (a new key could not read existing credentials).
    """

    def __init__(
        self, keys: str | None, key_file: Path, *, may_generate: Callable[[], bool]
    ) -> None:
        self._key_file = key_file
        self._may_generate = may_generate
        self._lock = threading.Lock()
        self._fernet: MultiFernet | None = None
        if keys is not None:
            self._fernet = parse_keys(keys, source=ENV_NAME)
            self.source = ENV_NAME
        else:
            self.source = f"key file {key_file}"

    def __repr__(self) -> str:
        return f"KeyRing(source={self.source!r})"

    def encrypt(self, document: Mapping[str, Any]) -> str:
        """Fernet ciphertext (ASCII) of ``document`` as JSON.

        The first encryption may generate the key file, which asks the database whether it
        holds ciphertext: call it outside any open transaction.
        """
        plaintext = json.dumps(document, separators=(",", ":"), sort_keys=True)
        return self._keys(may_create=True).encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str, *, tenant: str) -> dict[str, Any]:
        """The document behind ``token``; never touches the database.

        Raises:
            SecretKeyError: no key, or the key does not decrypt it (a different key wrote it).
        """
        keys = self._keys(may_create=False)
        try:
            plaintext = keys.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise SecretKeyError(
                f"the secret key does not decrypt tenant {tenant!r}; {ENV_NAME} changed? "
                f"(the key in use comes from the {self.source})"
            ) from None
        document = json.loads(plaintext)
        if not isinstance(document, dict):
            raise SecretKeyError(f"the credentials of tenant {tenant!r} are not a JSON object")
        return document

    def _keys(self, *, may_create: bool) -> MultiFernet:
        with self._lock:
            if self._fernet is None:
                self._fernet = parse_keys(self._load_or_create(may_create), source=self.source)
            return self._fernet

    def _load_or_create(self, may_create: bool) -> str:
        path = self._key_file
        text = _read_key_file(path)
        if text is not None:
            return text
        if not may_create or not self._may_generate():
            raise SecretKeyError(
                f"{ENV_NAME} is unset and {path} does not exist, but the database holds "
                f"encrypted credentials: restore the key file or set {ENV_NAME}"
            )
        created = _create_key_file(path)
        if created is None:  # another process made it first: use theirs
            text = _read_key_file(path)
            assert text is not None
            return text
        logger.warning(
            "generated a new secret key in %s for the credentials at rest; back it up (without "
            "it the stored credentials cannot be read), or set %s to a key of your own",
            path,
            ENV_NAME,
        )
        return created


def _read_key_file(path: Path) -> str | None:
    try:
        info = path.stat()
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(f"cannot read the key file {path}: {exc}") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning(
            "the key file %s can be read by others (mode %o); chmod 600 it",
            path,
            stat.S_IMODE(info.st_mode),
        )
    return text


def _create_key_file(path: Path) -> str | None:
    """A new key written to ``path`` (mode 0600), or ``None`` when ``path`` appeared first."""
    key = Fernet.generate_key().decode("ascii")
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".silta-key-")
    except OSError as exc:
        raise SecretKeyError(f"cannot create the key file {path}: {exc}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:  # mkstemp: mode 0600
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return None
        except OSError as exc:
            raise SecretKeyError(f"cannot create the key file {path}: {exc}") from None
    finally:
        os.unlink(temporary)
    return key
