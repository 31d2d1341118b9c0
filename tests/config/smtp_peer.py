"""A minimal SMTP server on loopback: what Django's SMTP backend talks to in tests
(EHLO, MAIL, RCPT, DATA, QUIT; no TLS, no auth). Each message's envelope and data are
kept in `messages`; with `refuse_recipients` every RCPT is answered 550, as a server
without that mailbox does."""

from __future__ import annotations

import socketserver
import threading
from typing import Any


class _Session(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: Any = self.server
        envelope: dict[str, Any] = {"rcpt": []}
        self._say("220 localhost ESMTP test peer")
        while line := self.rfile.readline().decode("ascii", "replace"):
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 localhost")
            elif verb == "MAIL":
                envelope["from"] = line.split(":", 1)[1].strip()
                self._say("250 OK")
            elif verb == "RCPT":
                recipient = line.split(":", 1)[1].strip()
                if server.refuse_recipients:  # a mailbox that does not exist
                    self._say(f"550 5.1.1 {recipient}: Recipient address rejected")
                    continue
                envelope["rcpt"].append(recipient)
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline().decode("utf-8", "replace")) != ".\r\n":
                    data.append(chunk)
                server.messages.append({**envelope, "data": "".join(data)})
                envelope = {"rcpt": []}
                self._say("250 OK queued")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("250 OK")

    def _say(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


class SmtpPeer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, refuse_recipients: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.refuse_recipients = refuse_recipients
        self.messages: list[dict[str, Any]] = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()
