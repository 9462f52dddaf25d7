"""A real SMTP server for the delivery tests: aiosmtpd on 127.0.0.1. Each message it receives
is written to a folder twice: as it arrived on the wire (NNNN.eml) and as Python's own e-mail
parser reads it (NNNN.json: envelope, headers, decoded text and HTML parts), so the test checks
what a mail reader would see without parsing MIME itself.

    python3 smtp_sink.py PORT FOLDER

Prints "ready" once it accepts connections and runs until killed."""
import email
import email.policy
import json
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = {"text/plain": None, "text/html": None}
        for part in message.walk():
            if part.get_content_type() in parts and not part.is_multipart():
                parts[part.get_content_type()] = part.get_content()
        summary = {
            "rcpt_tos": envelope.rcpt_tos,
            "mail_from": envelope.mail_from,
            "headers": {k.lower(): str(v) for k, v in message.items()},
            "text": parts["text/plain"],
            "html": parts["text/html"],
        }
        base = os.path.join(self.folder, f"{self.count:04}")
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        # Written under a temporary name and renamed: the test never reads half a summary.
        with open(base + ".part", "w", encoding="utf-8") as f:
            json.dump(summary, f)
        os.rename(base + ".part", base + ".json")
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
