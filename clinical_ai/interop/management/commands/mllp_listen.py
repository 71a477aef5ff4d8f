"""python manage.py mllp_listen --host 127.0.0.1 --port 2575"""
import asyncio

from django.core.management.base import BaseCommand

from clinical_ai.interop.mllp import serve


class Command(BaseCommand):
    help = "Receive HL7 v2 messages over MLLP; each is stored before its ACK is sent."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2575)

    def handle(self, *args, host, port, **options):
        self.stdout.write(f"MLLP listening on {host}:{port}")
        try:
            asyncio.run(serve(host, port))
        except KeyboardInterrupt:
            pass
