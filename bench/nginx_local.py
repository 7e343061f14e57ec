"""deploy/nginx.conf made runnable on this machine, for the benchmark (bench/ceiling.py) and the
test suite (tests/test_nginx.py): its placeholders (host, certificate, paths, ports) filled in."""
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def local_nginx_config(workdir: Path, app_port: int, http_port: int, https_port: int,
                       tls: bool = True) -> Path:
    """deploy/nginx.conf with its placeholders filled in for a run on this machine.

    Without `tls` the HTTPS server listens in plain HTTP (wrk then measures nginx and the
    app, not the handshake), so no certificate is needed.
    """
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    cache = workdir / "nginx-cache"
    cache.mkdir(exist_ok=True)
    for placeholder, value in {
        "campaign.example.org": "localhost",
        "/etc/letsencrypt/live/localhost/fullchain.pem": str(workdir / "cert.pem"),
        "/etc/letsencrypt/live/localhost/privkey.pem": str(workdir / "key.pem"),
        "/srv/campaign/static/": f"{ROOT / 'static'}/",
        "/var/cache/nginx/campaign": str(cache),
        "/var/log/nginx": str(workdir),
        "/run/nginx-campaign.pid": str(workdir / "nginx.pid"),
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port}{' ssl http2' if tls else ''};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        # On a port other than 443 the forwarded host keeps its port, as browsers send it.
        "X-Forwarded-Host $host;": "X-Forwarded-Host $http_host;",
    }.items():
        text = text.replace(placeholder, value)
    text = re.sub(r"\s*listen \[::\]:\d+[^;]*;", "", text)
    if not tls:
        text = re.sub(r"\s*ssl_[a-z_]+ [^;]+;", "", text)
    conf = workdir / "nginx.conf"
    conf.write_text(text)
    return conf


def nginx_command(conf: Path) -> list[str]:
    directives = "daemon off; user root;" if os.geteuid() == 0 else "daemon off;"
    return ["nginx", "-c", str(conf), "-g", directives]
