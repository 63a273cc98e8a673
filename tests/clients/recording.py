"""Recording mode: a reverse proxy between a client and the gateway that keeps what the client sent.

`RecordingProxy` listens on 127.0.0.1 port 0 and forwards every request to the gateway unchanged,
streaming the answer back as it arrives (an SSE stream is passed on event by event, never
buffered). For each request it keeps the method, path, query, headers and body. `write_fixtures`
then turns them into `tests/fixtures/clients/<client>/<version>/<NN>-<what>.json`, one file per
request, with secrets scrubbed and volatile values (temp paths, ids, dates, the run's random
values) replaced by placeholders, so that recording again shows only what really changed.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import shutil
import socket
import threading
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Headers that only describe this one connection or message framing.
NOISE_HEADERS = {"content-length", "host", "connection", "keep-alive", "transfer-encoding"}
SECRET_HEADERS = {"authorization", "x-api-key", "x-goog-api-key", "api-key", "proxy-authorization"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}
REDACTED = "<redacted>"


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes


class RecordingProxy:
    """A pass-through proxy in front of `upstream` (http://127.0.0.1:PORT) that records requests."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.recorded: list[Recorded] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    body = _read_chunked(self.rfile)
                else:
                    body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                with proxy._lock:
                    proxy.recorded.append(Recorded(self.command, path, query, list(self.headers.items()), body))
                upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=600)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                    headers["Content-Length"] = str(len(body))
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    answer = upstream.getresponse()
                    self.send_response_only(answer.status, answer.reason)
                    for name, value in answer.getheaders():
                        if name.lower() not in HOP_BY_HOP:
                            self.send_header(name, value)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    while True:
                        chunk = answer.read1(65536)
                        if not chunk:
                            break
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="recording-proxy", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _read_chunked(stream: Any) -> bytes:
    body = b""
    while True:
        size = int(stream.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            stream.readline()
            return body
        body += stream.read(size)
        stream.readline()


def _decoded(body: bytes, headers: list[tuple[str, str]]) -> bytes:
    encoding = next((v.lower() for k, v in headers if k.lower() == "content-encoding"), "")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "zstd":
        import zstandard  # only if a client ever compresses its requests this way

        return zstandard.ZstdDecompressor().decompress(body)
    return body


class Normaliser:
    """Replaces a run's volatile values and anything secret by stable placeholders."""

    def __init__(self, replacements: dict[str, str]) -> None:
        # Longest first, so a path is replaced before its own prefix.
        self.literal = sorted(((k, v) for k, v in replacements.items() if k), key=lambda kv: -len(kv[0]))

    PATTERNS: list[tuple[re.Pattern[str], str]] = [
        (re.compile(r"\b(sk-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{30,}|xox[abp]-[A-Za-z0-9-]{10,})"), REDACTED),
        (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<uuid>"),
        (re.compile(r"\b[0-9a-f]{64}\b"), "<hex64>"),
        (re.compile(r"\b[0-9a-f]{32}\b"), "<hex32>"),
        (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<datetime>"),
        (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<date>"),
        (re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
                    r"(January|February|March|April|May|June|July|August|September|October|November|December) "
                    r"\d{1,2}, \d{4}\b"), "<date>"),
        (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"), "<date>"),
        (re.compile(r"\b1[6-9]\d{11}\b"), "<unix-ms>"),
        (re.compile(r"\b1[6-9]\d{8}\b"), "<unix-s>"),
        # Ids the mock or the client mint per run, so re-recording the same versions is no diff.
        (re.compile(r"\b(rs|fc|msg|resp|call|toolu|ses)_[A-Za-z0-9]{16,}\b"), r"\1_<id>"),
        (re.compile(r"\b([a-z_]+)_1[6-9]\d{11}_(\d+)\b"), r"\1_<unix-ms>_\2"),
        # Claude Code names a project's folder after its path, slashes turned into dashes.
        (re.compile(r"-tmp-pytest-of-[A-Za-z0-9_]+-pytest-\d+-popen-gw\d+-[A-Za-z0-9-]+?-workspace"), "<run-as-name>-workspace"),
        (re.compile(r"\bChunk ID: [0-9a-f]{6}\b"), "Chunk ID: <id>"),
        (re.compile(r"<total_tokens>\d+ tokens left</total_tokens>"), "<total_tokens>N tokens left</total_tokens>"),
        (re.compile(r"\bcc_version=([\d.]+)\.[0-9a-f]{3}\b"), r"cc_version=\1.<hash>"),
        (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
        (re.compile(r"localhost:\d+"), "localhost:<port>"),
    ]

    def text(self, value: str) -> str:
        for old, new in self.literal:
            value = value.replace(old, new)
        for pattern, placeholder in self.PATTERNS:
            value = pattern.sub(placeholder, value)
        return value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {
                self.text(key): "<encrypted>" if key == "encrypted_content" and isinstance(item, str) else self.json(item)
                for key, item in value.items()
            }
        return value

    def query(self, query: str) -> str:
        query = re.sub(r"(^|&)(key|api_key|access_token)=[^&]*", rf"\1\2={REDACTED}", query)
        return self.text(query)

    def headers(self, headers: list[tuple[str, str]]) -> dict[str, str]:
        kept: dict[str, str] = {}
        for name, value in headers:
            lower = name.lower()
            if lower in NOISE_HEADERS:
                continue
            kept[lower] = REDACTED if lower in SECRET_HEADERS else self.text(value)
        # Sorted: clients send some headers in a different order each run.
        return dict(sorted(kept.items()))


def _what(path: str) -> str:
    """A short file-name part for a request path: `/v1/chat/completions` → `chat-completions`."""
    tail = path.rstrip("/").split("/v1beta/")[-1].split("/v1/")[-1]
    if ":" in tail:
        tail = tail.rsplit(":", 1)[1]
    elif tail.startswith("models/"):
        tail = "model"
    tail = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", tail).lower()
    return re.sub(r"[^a-z0-9]+", "-", tail).strip("-") or "root"


def fixture_documents(recorded: list[Recorded], normaliser: Normaliser) -> list[tuple[str, dict[str, Any]]]:
    """(file name, document) for each distinct request, in the order the client sent them."""
    documents: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for request in recorded:
        raw = _decoded(request.body, request.headers)
        try:
            body: Any = normaliser.json(json.loads(raw)) if raw else None
        except ValueError:
            body = normaliser.text(raw.decode("utf-8", errors="replace"))
        document = {
            "method": request.method,
            "path": normaliser.text(request.path),
            "query": normaliser.query(request.query),
            "headers": normaliser.headers(request.headers),
            "body": body,
        }
        # A side call repeated with the same content (a retry, a second title request) is kept once.
        identity = json.dumps([document["method"], document["path"], document["query"], document["body"]])
        if identity in seen:
            continue
        seen.add(identity)
        name = f"{len(documents) + 1:02d}-{_what(request.path)}.json"
        documents.append((name, document))
    return documents


def write_fixtures(directory: Path, documents: list[tuple[str, dict[str, Any]]]) -> list[Path]:
    """Replaces every recorded version of this client (directory's parent) with `documents`."""
    client_dir = directory.parent
    if client_dir.is_dir():
        shutil.rmtree(client_dir)
    directory.mkdir(parents=True)
    written = []
    for name, document in documents:
        path = directory / name
        # Keys sorted: some clients build their objects in a different order each run.
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
        written.append(path)
    return written
