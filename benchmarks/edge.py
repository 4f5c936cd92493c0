"""nginx with ``deploy/nginx.conf`` in front of running ``candor serve`` replicas, on this
machine: used by the nginx test (tests/test_nginx.py) and by ``make bench``.

The shipped file is run as it is, but for what only a deployment knows: the `listen`
addresses, the replicas' addresses (``server api:8000``), the cache directory and the
access log. Each of those lines must appear exactly once, so a change to the file that
the harness does not understand fails loudly instead of testing something else.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
PACKAGE = "nginx-light"
# Debian's nginx compiles these in under /var/lib/nginx, which only root may write: the
# harness gives each run its own, so it also works for other users.
_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class ConfigDrift(ValueError):
    """deploy/nginx.conf no longer has a line the harness replaces, or has it twice."""


def find_nginx(install: bool = False) -> str | None:
    """nginx's path (Debian puts it in /usr/sbin). With ``install``, Debian's nginx-light is
    installed when it is missing and we are root with apt, as for wrk (benchmarks/load.py)."""
    path = "/usr/sbin:/usr/local/sbin:/usr/bin"
    found = shutil.which("nginx") or shutil.which("nginx", path=path)
    if found or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def apt(*args: str) -> None:
        subprocess.run(["apt-get", *args], env=env, capture_output=True, check=False, timeout=600)

    # Only the program is wanted: keep the package from starting its service on port 80
    # (as .ci/run does).
    policy = Path("/usr/sbin/policy-rc.d")
    ours = not policy.exists()
    if ours:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        apt("install", "-y", "-qq", PACKAGE)
        if not shutil.which("nginx", path=path):  # a fresh machine may have no lists yet
            apt("update", "-qq")
            apt("install", "-y", "-qq", PACKAGE)
    finally:
        if ours:
            policy.unlink(missing_ok=True)
    return shutil.which("nginx", path=path)


def _replace_once(text: str, pattern: str, replacement: str) -> str:
    """``text`` with the one match of ``pattern`` replaced by ``replacement``, literally."""
    found = re.findall(pattern, text, flags=re.MULTILINE)
    if len(found) != 1:
        raise ConfigDrift(f"{NGINX_CONF.name}: expected one line matching {pattern!r}")
    return re.sub(pattern, lambda _: replacement, text, flags=re.MULTILINE)


def render_config(
    upstreams: list[str], port: int, internal_port: int, scratch: Path, *, cache: bool = True
) -> str:
    """deploy/nginx.conf for this machine: listening on 127.0.0.1:``port`` (public) and
    ``internal_port`` (operators), in front of ``upstreams`` ("127.0.0.1:8001", ...), with
    its cache and logs under ``scratch``. ``cache=False`` turns the cache off, for the
    benchmark's comparison, and changes nothing else."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    text = _replace_once(text, r"(?<= )listen 80 default_server;", f"listen 127.0.0.1:{port};")
    text = _replace_once(
        text, r"(?<= )listen 127\.0\.0\.1:8081;", f"listen 127.0.0.1:{internal_port};"
    )
    match = re.search(r"^(\s*)server api:8000( [^;]*)?;", text, flags=re.MULTILINE)
    if match is None:
        raise ConfigDrift(f"{NGINX_CONF.name}: no `server api:8000` line")
    indent, options = match.group(1), match.group(2) or ""
    servers = "".join(f"{indent}server {address}{options};" for address in upstreams)
    text = _replace_once(text, r"^\s*server api:8000( [^;]*)?;", servers)
    text = _replace_once(text, r"/var/cache/nginx/candor(?= )", _quoted(scratch / "cache"))
    text = _replace_once(text, r"/var/log/nginx/access\.log(?= )", _quoted(scratch / "access.log"))
    if not cache:
        text = _replace_once(text, r"proxy_cache candor;", "proxy_cache off;")
    temp = "".join(
        f"\n    {name}_temp_path {_quoted(scratch / 'temp' / name)};" for name in _TEMP_PATHS
    )
    return _replace_once(text, r"^http \{", "http {" + temp)


def _quoted(path: Path) -> str:
    """A path as an nginx string: it may hold spaces."""
    text = str(path)
    if '"' in text or "\\" in text:
        raise ValueError(f"not usable in an nginx configuration: {text!r}")
    return f'"{text}"'


@dataclass
class Edge:
    base: str
    internal: str
    scratch: Path
    process: subprocess.Popen[bytes]

    @property
    def cache_dir(self) -> Path:
        return self.scratch / "cache"

    def cache_files(self) -> dict[Path, str]:
        """Every answer in the cache, and the key it is stored under."""
        files = {}
        for path in self.cache_dir.rglob("*"):
            if path.is_file() and re.fullmatch(r"[0-9a-f]{32}", path.name):
                head = path.read_bytes()[:4096]
                key = re.search(rb"\nKEY: ([^\n]*)\n", head)
                files[path] = key.group(1).decode("latin-1") if key else ""
        return files

    def log(self) -> str:
        return (self.scratch / "nginx.log").read_text(errors="replace")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def nginx_edge(
    nginx: str, upstreams: list[str], scratch: Path, *, cache: bool = True, timeout: float = 20
) -> Iterator[Edge]:
    """nginx (master and workers) in the foreground, stopped on exit."""
    scratch.mkdir(parents=True, exist_ok=True)
    for name in _TEMP_PATHS:
        (scratch / "temp" / name).mkdir(parents=True, exist_ok=True)
    port, internal_port = _free_port(), _free_port()
    config = scratch / "nginx.conf"
    config.write_text(render_config(upstreams, port, internal_port, scratch, cache=cache))
    # The shipped file names no user: the packaged default applies. Here the workers run
    # as the user running the harness, who owns the scratch directory.
    user = "user root; " if os.geteuid() == 0 else ""
    command = [
        *(nginx, "-e", "stderr", "-p", str(scratch), "-c", str(config)),
        *("-g", f"daemon off; pid {_quoted(scratch / 'nginx.pid')}; {user}"),
    ]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
    with (scratch / "nginx.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    edge = Edge(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{internal_port}", scratch, process)
    try:
        _wait_listening(edge, timeout)
        yield edge
    finally:
        stop(process)


def _wait_listening(edge: Edge, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if edge.process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{edge.log()[-3000:]}")
        try:
            urllib.request.urlopen(edge.internal + "/nginx-is-up", timeout=2)
        except urllib.error.HTTPError:
            return  # the internal server's own 404: nginx is listening
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not start listening:\n{edge.log()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM: nginx's master stops its workers at once, then exits."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
