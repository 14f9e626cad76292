"""The issuer's Ed25519 signing key: created on first use (or by `manage.py issuer_key`), stored encrypted.

Storage: with CERTIFICATION_ISSUER_KEY_FILE set, the private key is a PEM file at that path (created 0600 if
missing; mount it from a secret store). Otherwise it lives in the database, encrypted with Fernet under a key
derived (HKDF-SHA256) from CERTIFICATION_KEY_SECRET, or SECRET_KEY when that is unset. Rotating retires the old key
but keeps publishing it, so certificates it signed keep verifying.
"""

from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from certification import vc
from certification.models import IssuerKey
from novacron.core.services.audit import audit_record


def issuer_id() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/learn/issuer/"


def key_reference(key: IssuerKey) -> str:
    """The JWT `kid`: the issuer id plus a fragment, resolvable in the issuer profile."""
    return f"{issuer_id()}#{key.kid}"


def _fernet() -> Fernet:
    secret = getattr(settings, "CERTIFICATION_KEY_SECRET", "") or settings.SECRET_KEY
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"novacron-issuer-key", info=b"fernet").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _key_file() -> str:
    return str(getattr(settings, "CERTIFICATION_ISSUER_KEY_FILE", "") or "")


def _new_private_key() -> tuple[Ed25519PrivateKey, str]:
    """A new key, or the one in the configured key file (written there when the file does not exist)."""
    path = _key_file()
    if path and Path(path).exists():
        loaded = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return loaded, path
    private_key = Ed25519PrivateKey.generate()
    if path:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(_pem(private_key))
    return private_key, path


def issuer_key_create(*, actor=None) -> IssuerKey:
    """Create the active key, retiring the current one (rotation)."""
    private_key, path = _new_private_key()
    kid = f"key-{uuid.uuid4().hex[:12]}"
    with transaction.atomic():
        for old in IssuerKey.objects.select_for_update().filter(is_active=True):
            old.is_active = False
            old.retired_at = timezone.now()
            old.save(update_fields=["is_active", "retired_at", "updated_at"])
            audit_record(actor=actor, action="certification.issuer_key.retire", obj=old)
        key = IssuerKey.objects.create(
            kid=kid,
            public_jwk=vc.public_jwk(private_key.public_key(), kid),
            private_key_encrypted="" if path else _fernet().encrypt(_pem(private_key)).decode(),
            key_file=path,
        )
        audit_record(actor=actor, action="certification.issuer_key.create", obj=key, after={"kid": kid})
    return key


def issuer_key_active() -> IssuerKey:
    """The active key, created on first use (two racing first uses: one wins, the other re-reads)."""
    key = IssuerKey.objects.filter(is_active=True).first()
    if key is not None:
        return key
    try:
        return issuer_key_create()
    except IntegrityError:
        return IssuerKey.objects.get(is_active=True)


def private_key_of(key: IssuerKey) -> Ed25519PrivateKey:
    if key.key_file:
        loaded = serialization.load_pem_private_key(Path(key.key_file).read_bytes(), password=None)
    else:
        try:
            loaded = serialization.load_pem_private_key(
                _fernet().decrypt(key.private_key_encrypted.encode()), password=None
            )
        except InvalidToken as exc:
            raise RuntimeError(
                "The issuer key cannot be decrypted: CERTIFICATION_KEY_SECRET (or SECRET_KEY) changed."
            ) from exc
    if not isinstance(loaded, Ed25519PrivateKey):  # pragma: no cover - we only ever store Ed25519 keys
        raise RuntimeError("the issuer key is not Ed25519")
    if vc.public_jwk(loaded.public_key(), key.kid)["x"] != key.public_jwk["x"]:
        raise RuntimeError(f"the private key for {key.kid} does not match its published public key")
    return loaded


def published_keys() -> dict[str, dict]:
    """{kid reference: JWK} of every key the issuer has used (retired ones included)."""
    return {key_reference(key): key.public_jwk for key in IssuerKey.objects.order_by("created_at")}
