#!/usr/bin/env python
"""A local SMTP server (aiosmtpd) for the updates benchmark: accepts every message and, when
given a FILE, appends each recipient to it, a line each, as soon as the message is taken.

  .venv/bin/python bench/smtp_sink.py PORT [FILE]
"""
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path: str | None):
        self.file = open(path, "a", encoding="utf-8", buffering=1) if path else None

    async def handle_DATA(self, server, session, envelope):
        if self.file is not None:
            for recipient in envelope.rcpt_tos:
                self.file.write(recipient + "\n")
        return "250 Message accepted for delivery"


def main() -> None:
    port = int(sys.argv[1])
    controller = Controller(Sink(sys.argv[2] if len(sys.argv) > 2 else None),
                            hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()
