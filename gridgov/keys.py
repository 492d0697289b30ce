"""Are the keys of this installation its own? `gridgov serve` asks before it opens the port.

Two keys protect a site: ``GRIDGOV_SECRET_KEY`` (sessions, CSRF, signed values) and ``GRIDGOV_DATA_KEY`` (the
master key of the personal data at rest, gridgov/crypto.py). The source code carries a default secret key and,
without ``GRIDGOV_DATA_KEY``, the data key is derived from the secret key — so a site started with neither runs
on keys anyone can read on GitHub: every ID number and phone in its database decrypts with them. ``serve``
therefore refuses to start so, and says how to set them, unless the site is a demo: started with
``serve --demo``, or its database is the one `gridgov demo` built and the demo administrator still signs in
with the password the demo prints (such a site is public anyway; its people are synthetic).
"""

import base64
import os

from django.conf import settings

from gridgov import crypto

SECRET_ENV = "GRIDGOV_SECRET_KEY"
MIN_SECRET_LENGTH = 32

HOWTO = f"""\
请为本站点设置自己的密钥（环境变量），再启动服务：
Set this site's own keys (environment variables), then start the server again:

  export {SECRET_ENV}="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
  export {crypto.ENV}="$(gridgov data-key)"      # 个人信息加密主密钥：32 字节的 base64 / personal-data key

两个密钥都请妥善保存（例如放在只有服务账号可读的 EnvironmentFile 中）；丢失 {crypto.ENV} 即无法再解密已存的个人信息。
Keep both safe (e.g. in an EnvironmentFile only the service account can read); without {crypto.ENV} the stored
personal data can no longer be decrypted.
已在未设置 {crypto.ENV} 的情况下存入了个人信息？用 `gridgov data-key --from-secret-key`（在原来的 {SECRET_ENV} 下运行）
取得它们加密所用的密钥，设为 {crypto.ENV}。
Personal data already stored without {crypto.ENV}? `gridgov data-key --from-secret-key` (run with the old
{SECRET_ENV}) prints the key it was encrypted with: set that as {crypto.ENV}.
只是试用演示数据：gridgov demo 之后直接 gridgov serve，或 gridgov serve --demo。
Only trying the demo: gridgov demo, then gridgov serve (or gridgov serve --demo)."""


def problems() -> list[str]:
    """What is wrong with this process's keys, one line each (empty: the keys are the site's own)."""
    out = []
    secret = settings.SECRET_KEY
    if secret == settings.DEFAULT_SECRET_KEY:
        out.append(f"{SECRET_ENV} 未设置：正在使用源代码中公开的默认密钥 / not set: the public default key is in use")
    elif len(secret) < MIN_SECRET_LENGTH:
        out.append(f"{SECRET_ENV} 太短（至少 {MIN_SECRET_LENGTH} 个字符）/ too short (at least {MIN_SECRET_LENGTH} characters)")
    if not os.environ.get(crypto.ENV, "").strip():
        out.append(f"{crypto.ENV} 未设置：个人信息的加密密钥将由 {SECRET_ENV} 派生 / not set: the personal-data key "
                   f"would be derived from {SECRET_ENV}")
    else:
        try:
            crypto.Cipher(crypto.master_key()[0])
        except crypto.KeyError_ as e:
            out.append(f"{e} / {crypto.ENV} must be the base64 of 32 random bytes")
    return out


def is_demo_site() -> bool:
    """The database is `gridgov demo`'s and its administrator still has the published demo password."""
    from gridgov import demo
    from gridgov.accounts.models import User

    if not demo.already_built():
        return False
    admin = User.objects.filter(username="admin").first()
    return admin is not None and admin.check_password(demo.PASSWORD)


def new_data_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def data_key_from_secret_key() -> str:
    """The key personal data was encrypted with while ``GRIDGOV_DATA_KEY`` was unset (derived from SECRET_KEY)."""
    return base64.b64encode(crypto.derived_master_key()).decode()
