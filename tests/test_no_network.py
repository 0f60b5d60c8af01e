"""obc-settle never touches the network: no module of the package imports a network library."""

from __future__ import annotations

import ast

from paths import ROOT

NETWORK = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "ftplib",
    "smtplib",
    "poplib",
    "imaplib",
    "telnetlib",
    "xmlrpc",
    "requests",
    "httpx",
    "aiohttp",
    "urllib3",
    "websocket",
    "websockets",
    "paramiko",
}
NOT_NETWORK = {"urllib.parse"}  # string handling only (decoding partition folder names)


def test_no_module_of_the_package_imports_a_network_library() -> None:
    offenders = []
    for path in sorted((ROOT / "obc_settle").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)}: {name}"
                for name in names
                if name.split(".")[0] in NETWORK and name not in NOT_NETWORK
            ]
    assert offenders == []
