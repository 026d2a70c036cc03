"""HS256 JWTs as the gateway's local issuer signs them (auth.jwt.hs256_secret, kid
"local"): a division clerk's token or a bridge's, valid for ten minutes."""

import base64
import hashlib
import hmac
import json
import time


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_jwt(secret, claims):
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "local"}).encode())
    body = b64url(json.dumps({"iss": "civic-gateway-local", "iat": now, "exp": now + 600, **claims}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64url(signature)}"
