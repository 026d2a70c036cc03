"""Reply tokens in Python, independently of the C++ (common/crypto/reply_token.hpp):
tests seal tokens the way the gateway does and open the gateway's, which checks
the construction on both sides. X25519 + HKDF-SHA256(salt = ephemeral || recipient
public key, info "civic reply token v1") + AES-256-GCM (aad "rt1.<kid>")."""

import base64
import json
import os
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"civic reply token v1"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw(public_key):
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _key(shared, epk, rpk):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + rpk, info=INFO).derive(shared)


class ReplyKeys:
    """A key pair: `public` for gateway.reply_token.public_key, `private_text` for
    answers.reply_token.private_keys."""

    def __init__(self, kid="test1"):
        self.kid = kid
        self.private = X25519PrivateKey.generate()
        self.public_raw = _raw(self.private.public_key())
        self.public = f"{kid}:{b64url(self.public_raw)}"
        self.private_text = f"{kid}:" + b64url(self.private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()))

    def seal(self, channel, to, thread="", via="", handle="", written_at_ms=None):
        ephemeral = X25519PrivateKey.generate()
        epk = _raw(ephemeral.public_key())
        key = _key(ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public_raw)), epk, self.public_raw)
        plaintext = json.dumps({"c": channel, "to": to, "th": thread, "via": via, "h": handle,
                                "at": written_at_ms if written_at_ms is not None else int(time.time() * 1000)},
                               separators=(",", ":")).encode()
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plaintext, f"rt1.{self.kid}".encode())
        return f"rt1.{self.kid}.{b64url(epk + nonce + sealed)}"

    def open(self, token):
        prefix, kid, body = token.split(".", 2)
        assert prefix == "rt1" and kid == self.kid, token[:20]
        data = unb64url(body)
        epk, nonce, sealed = data[:32], data[32:44], data[44:]
        key = _key(self.private.exchange(X25519PublicKey.from_public_bytes(epk)), epk, self.public_raw)
        return json.loads(AESGCM(key).decrypt(nonce, sealed, f"rt1.{kid}".encode()))
