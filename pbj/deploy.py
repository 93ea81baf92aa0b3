"""The nginx site in front of the app servers (docs/DEPLOY.md), made from the app's own
settings so the folders and limits nginx uses are the ones the app uses."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template

from pbj.services.uploads import upload_root

# What may stand in nginx's configuration without quoting: a stray space, semicolon or
# brace would end a directive early and make a different configuration.
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}")
_ADDRESS = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)?:?[0-9]{1,5}|unix:/[A-Za-z0-9._/-]+")
_PATH = re.compile(r"/[A-Za-z0-9._/+-]*")


class DeployError(ValueError):
    """A value nginx cannot be given; the message names it."""


@dataclass(frozen=True)
class NginxSite:
    server_name: str
    upstreams: tuple[str, ...]
    certificate: str
    certificate_key: str
    listen: str = "443"
    http_listen: str | None = "80"  # None: no plain-HTTP server redirecting to HTTPS
    read_timeout: int = 60

    @property
    def static_folder(self) -> str:
        return _path(current_app.static_folder, "the static folder")

    @property
    def upload_folder(self) -> str:
        return _path(str(upload_root().resolve()), "UPLOAD_FOLDER")

    @property
    def app_limit_mib(self) -> int:
        return math.ceil(current_app.config["MAX_CONTENT_LENGTH"] / 1024 / 1024)

    @property
    def body_limit_mib(self) -> int:
        return self.app_limit_mib + 1


def default_server_name() -> str:
    return urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").hostname or ""


def nginx_config(site: NginxSite) -> str:
    if not _HOST.fullmatch(site.server_name or ""):
        raise DeployError(f"Server name {site.server_name!r} is not a host name "
                          "(set PUBLIC_BASE_URL or give --server-name).")
    if not site.upstreams:
        raise DeployError("Name at least one app server (--upstream 127.0.0.1:5001).")
    for value in (*site.upstreams, site.listen, *([site.http_listen] if site.http_listen else [])):
        if not _ADDRESS.fullmatch(value):
            raise DeployError(f"{value!r} is not an address and port (such as 127.0.0.1:5001 or 443).")
    for value, what in ((site.certificate, "--certificate"), (site.certificate_key, "--certificate-key")):
        _path(value, what)
    return render_template("deploy/nginx.conf", site=site)


def _path(value: str | None, what: str) -> str:
    value = str(Path(value)) if value else ""
    if not _PATH.fullmatch(value):
        raise DeployError(f"{what} must be an absolute path of letters, digits and . _ / + - "
                          f"(nginx would read {value!r} otherwise).")
    return value
