#!/usr/bin/env python3
"""Writes the page's content-security policy into the built index.html.

Run by trunk after each build (Trunk.toml's post_build hook) on the staged
index.html ($TRUNK_STAGING_DIR): the inline scripts (the base-path script
of index.html and trunk's module loader, which names this build's hashed
files) are allowed by the SHA-256 of their text, computed here; nothing
else inline runs. The policy goes right after <meta charset>, before any script.

What it allows (ARCHITECTURE.md, "Content-security policy"):
- scripts: the app's own files, the inline scripts by hash, and compiling
  its WebAssembly ('wasm-unsafe-eval'); no eval, no other inline script;
- styles: the app's stylesheet only (the app sets styles through the
  CSSOM, never through a style attribute);
- connections: the app's own origin and the http(s) addresses the user
  asks for (?url=, a Jaeger, a host page's URL): any http(s) address, since
  those are only known at run time;
- images: the app's own and data: URLs; no plugins (object-src 'none'), no
  frames inside the app, no forms, <base> only to the app's own origin.
frame-ancestors cannot be set from a page: the operator's server sends it
(README, "Embedding in a dashboard").
"""

import base64
import hashlib
import os
import re
import sys

META_NAME = 'http-equiv="Content-Security-Policy"'


def policy(script_hashes):
    scripts = " ".join(f"'sha256-{h}'" for h in script_hashes)
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'wasm-unsafe-eval' {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self' http: https:",
            "manifest-src 'self'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'self'",
            "form-action 'none'",
            "base-uri 'self'",
        ]
    )


def inline_scripts(html):
    """The text of every <script> without a src, as the browser hashes it."""
    out = []
    for m in re.finditer(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, re.S | re.I):
        if re.search(r"\bsrc\s*=", m.group("attrs"), re.I):
            continue
        out.append(m.group("body"))
    return out


def main():
    staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else None)
    if not staging:
        sys.exit("csp.py: no TRUNK_STAGING_DIR (run by trunk) and no folder given")
    path = os.path.join(staging, "index.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    # A page built before carries its old policy: replace it.
    html = re.sub(r'\s*<meta ' + re.escape(META_NAME) + r'[^>]*>', "", html)
    hashes = [
        base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        for body in inline_scripts(html)
    ]
    meta = f'<meta {META_NAME} content="{policy(hashes)}" />'
    # After <meta charset> (which must come first), before any script.
    anchor = re.search(r"<meta charset[^>]*>", html, re.I) or re.search(r"<head[^>]*>", html, re.I)
    if not anchor:
        sys.exit(f"csp.py: {path} has no <head>")
    at = anchor.end()
    html = html[:at] + "\n    " + meta + html[at:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"csp.py: {len(hashes)} inline scripts allowed by hash in {path}")


if __name__ == "__main__":
    main()
