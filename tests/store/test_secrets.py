"""Credentials at rest: ciphertext only, a clear error for a wrong key, a key file that works."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from silta.config import Settings
from silta.store import SecretKeyError, Store, StoreError
from silta.store.secrets import KeyRing, default_key_file

from .conftest import KEY, OTHER_KEY, PLANTED, config, netvisor, run_together, severa

SECRET_LOGGER = "silta.store.secrets"


@pytest.fixture
def no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SILTA_SECRET_KEY", raising=False)
    monkeypatch.delenv("SILTA_SECRET_KEY_FILE", raising=False)


def database_bytes(folder: Path) -> bytes:
    """The database file and its WAL and shared-memory files, as they are on disk."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("silta.db*")))


def test_the_sqlite_file_holds_no_plaintext_credential(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'silta.db'}", secret_key=KEY) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        store.update_connections(
            acme.id, netvisor=netvisor("-v2"), severa=severa("-v2"), changed_by="bob"
        )
        while_open = database_bytes(tmp_path)
    after_close = database_bytes(tmp_path)
    for on_disk in (while_open, after_close):
        assert b"alice" in on_disk and b"acme" in on_disk  # the search does see plaintext
        for secret in PLANTED.values():
            assert secret.encode() not in on_disk, f"{secret} is stored in plaintext"
            assert b"PLANTED" not in on_disk


def test_the_ciphertext_is_fernet_of_a_json_document(store: Store) -> None:
    from sqlalchemy import select

    from silta.store.models import TenantRow

    store.add_tenant(config(), changed_by="alice")
    with store.engine.connect() as connection:
        token = connection.execute(select(TenantRow.severa_credentials)).scalar_one()
    assert Fernet(KEY).decrypt(token.encode()).decode().startswith('{"client_id":"PLANTED')


def test_a_wrong_key_is_a_clear_error(store: Store, store_url: str) -> None:
    store.add_tenant(config(), changed_by="alice")
    with Store.open(store_url, secret_key=OTHER_KEY) as wrong:
        with pytest.raises(SecretKeyError) as caught:
            wrong.tenant("acme")
        with pytest.raises(SecretKeyError):
            wrong.tenants()
    message = str(caught.value)
    assert message.startswith(
        "the secret key does not decrypt tenant 'acme'; SILTA_SECRET_KEY changed?"
    )
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "InvalidToken" not in message and "cryptography" not in message


def test_credentials_can_be_replaced_after_a_key_is_lost(store: Store, store_url: str) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    with Store.open(store_url, secret_key=OTHER_KEY) as new_key:
        replaced = new_key.update_connections(
            acme.id, netvisor=netvisor("-v2"), severa=severa("-v2"), changed_by="bob"
        )
        assert new_key.tenant("acme") == replaced
        assert replaced.netvisor == netvisor("-v2")
        [event, _] = new_key.tenant_events(acme.id)
        assert {c.field for c in event.changes} == {"netvisor.credentials", "severa.credentials"}


def test_keys_rotate_first_encrypts_every_one_decrypts(store: Store, store_url: str) -> None:
    store.add_tenant(config("old"), changed_by="alice")
    with Store.open(store_url, secret_key=f"{OTHER_KEY}, {KEY}") as rotating:
        assert rotating.tenant("old").name == "old"
        rotating.add_tenant(config("new"), changed_by="alice")
    with Store.open(store_url, secret_key=OTHER_KEY) as new_only:
        assert new_only.tenant("new").name == "new"
        with pytest.raises(SecretKeyError):
            new_only.tenant("old")


@pytest.mark.parametrize("bad", ["not-a-key", "", " , ", KEY[:-4]])
def test_a_malformed_key_is_refused_without_echoing_it(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SecretKeyError) as caught:
        Store.open(f"sqlite:///{tmp_path / 'silta.db'}", secret_key=bad, upgrade=False)
    assert "SILTA_SECRET_KEY" in str(caught.value)
    if bad.strip(" ,"):
        assert bad not in str(caught.value)


@pytest.mark.usefixtures("no_key_in_env")
def test_a_key_file_is_made_on_first_use_private_and_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    url = f"sqlite:///{folder / 'silta.db'}"
    key_file = folder / "silta.key"
    with caplog.at_level(logging.WARNING, logger=SECRET_LOGGER):
        with Store.open(url) as store:
            assert not key_file.exists()  # no key is needed until a credential is stored
            store.add_tenant(config(), changed_by="alice")
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert [r.message for r in caplog.records if r.name == SECRET_LOGGER] == [
            f"generated a new secret key in {key_file} for the credentials at rest; back it "
            "up (without it the stored credentials cannot be read), or set SILTA_SECRET_KEY "
            "to a key of your own"
        ]
        key = key_file.read_text()
        Fernet(key.strip())  # a real Fernet key

        caplog.clear()
        with Store.open(url) as again:
            assert again.tenant("acme").netvisor == netvisor()
            again.add_tenant(config("second"), changed_by="alice")
        assert caplog.records == []
    assert key_file.read_text() == key
    assert list(folder.glob(".silta-key-*")) == []  # no temporary file left behind


@pytest.mark.usefixtures("no_key_in_env")
def test_no_new_key_beside_existing_credentials(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'silta.db'}"
    with Store.open(url) as store:
        store.add_tenant(config(), changed_by="alice")
    (tmp_path / "silta.key").unlink()
    with Store.open(url) as store:
        with pytest.raises(SecretKeyError, match="restore the key file or set SILTA_SECRET_KEY"):
            store.add_tenant(config("second"), changed_by="alice")
        with pytest.raises(SecretKeyError, match="does not exist, but the database holds"):
            store.tenant("acme")
    assert not (tmp_path / "silta.key").exists()


def test_a_key_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "open.key"
    key_file.write_text(KEY)
    key_file.chmod(0o644)
    url = f"sqlite:///{tmp_path / 'silta.db'}"
    with (
        caplog.at_level(logging.WARNING, logger=SECRET_LOGGER),
        Store.open(url, key_file=key_file) as store,
    ):
        store.add_tenant(config(), changed_by="alice")
    assert any("can be read by others (mode 644)" in r.message for r in caplog.records)


@pytest.mark.usefixtures("no_key_in_env")
def test_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SILTA_DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("SILTA_SECRET_KEY", KEY)
    with Store.open() as store:
        assert store.url == "sqlite:///from-env.db"
        store.add_tenant(config(), changed_by="alice")
    assert (tmp_path / "from-env.db").exists()
    assert not (tmp_path / "silta.key").exists()

    monkeypatch.delenv("SILTA_SECRET_KEY")
    (tmp_path / "elsewhere.key").write_text(KEY)
    monkeypatch.setenv("SILTA_SECRET_KEY_FILE", str(tmp_path / "elsewhere.key"))
    with Store.open() as store:
        assert store.tenant("acme").name == "acme"


def test_nothing_shows_a_secret(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    monkeypatch.setenv("SILTA_SECRET_KEY", KEY)
    shown = " ".join(
        text
        for value in (
            acme,
            store.tenant("acme"),
            store.tenants(),
            config(),
            store,
            store.tenant_events(acme.id),
            store.settings_history(acme.id),
            Settings(),
            KeyRing(KEY, Path("silta.key"), may_generate=lambda: True),
        )
        for text in (repr(value), str(value))
    )
    for secret in ("customer_key", "partner_key", "client_secret"):
        assert PLANTED[secret] not in shown
    assert KEY not in shown


def test_a_database_error_never_shows_a_password() -> None:
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql://silta:hunter2@127.0.0.1:1/silta", secret_key=KEY)
    assert "hunter2" not in str(caught.value)
    assert "postgresql+psycopg://silta:***@127.0.0.1:1/silta" in str(caught.value)
    assert caught.value.retryable


def test_processes_starting_at_once_agree_on_one_key_file(tmp_path: Path) -> None:
    path = tmp_path / "silta.key"
    rings = [KeyRing(None, path, may_generate=lambda: True) for _ in range(8)]
    tokens: dict[int, str] = {}

    def encrypt(worker: int) -> None:
        tokens[worker] = rings[worker].encrypt({"worker": worker})

    run_together(encrypt, workers=8)
    for ring in rings:
        for worker, token in tokens.items():
            assert ring.decrypt(token, tenant="t") == {"worker": worker}
    assert [p.name for p in tmp_path.iterdir()] == ["silta.key"]


@pytest.mark.usefixtures("no_key_in_env")
def test_each_database_keeps_its_own_key_named_after_it(tmp_path: Path) -> None:
    """The demo's database and a real one in one folder: two keys, each found by every
    command given that database's URL (the demo's key was not found before: issue 17)."""
    for name in ("silta", "silta-demo"):
        with Store.open(f"sqlite:///{tmp_path / name}.db") as store:
            store.add_tenant(config(), changed_by="alice")
            assert store.key_source == f"key file {tmp_path / name}.key"
    keys = {path.name: path.read_text() for path in tmp_path.glob("*.key")}
    assert sorted(keys) == ["silta-demo.key", "silta.key"]
    assert keys["silta.key"] != keys["silta-demo.key"]
    with Store.open(f"sqlite:///{tmp_path / 'silta-demo.db'}") as again:
        assert again.tenant("acme").netvisor == netvisor()


@pytest.mark.usefixtures("no_key_in_env")
def test_a_database_made_before_keeps_its_silta_key(tmp_path: Path) -> None:
    """Before the rule every database's key was ``silta.key`` beside it."""
    url = f"sqlite:///{tmp_path / 'tuotanto.db'}"
    with Store.open(url, key_file=tmp_path / "silta.key") as store:
        store.add_tenant(config(), changed_by="alice")
    with Store.open(url) as again:
        assert again.key_source == f"key file {tmp_path / 'silta.key'}"
        assert again.tenant("acme").severa == severa()
    assert not (tmp_path / "tuotanto.key").exists()
    # a new database beside it gets a key of its own, not the old one
    assert default_key_file(tmp_path / "uusi.db") == tmp_path / "uusi.key"


def test_without_a_database_file_the_key_is_silta_key_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_key_file(None) == tmp_path / "silta.key"
