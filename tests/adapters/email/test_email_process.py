"""`spoc run --adapter email` as a process, from its config file: mail pushed to its listener and mail in a
dovecot mailbox become tickets, the notices go out through the SMTP server, /readyz reports the mailbox,
and SIGTERM ends it with exit 0."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from tests.adapters.email.conftest import DESK_ADDRESS, mail, push
from tests.standins.mail_servers import Dovecot, SmtpCapture, free_port

TIMEOUT = 60.0


def config_text(tmp_path: Path, smtp: SmtpCapture, *, listener_port: int, http_port: int, imap: str = "") -> str:
    return f"""
database: {{url: "sqlite:///{tmp_path}/spoc.db"}}
kb: {{load_starter: false}}
http: {{host: 127.0.0.1, port: {http_port}}}
log_level: INFO
email:
  address: {DESK_ADDRESS}
  smtp: {{host: 127.0.0.1, port: {smtp.port}, security: none}}
  listener: {{enabled: true, host: 127.0.0.1, port: {listener_port}}}
{imap}"""


async def ready(base: str, process: asyncio.subprocess.Process) -> dict[str, object]:
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    async with aiohttp.ClientSession() as http:
        while True:
            if process.returncode is not None:
                _, err = await process.communicate()
                raise AssertionError(f"spoc run ended ({process.returncode}): {err.decode()[-3000:]}")
            try:
                async with http.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return dict(await response.json())
            except aiohttp.ClientError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "spoc never became ready"
            await asyncio.sleep(0.2)


async def run_spoc(tmp_path: Path, config: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    path = tmp_path / "spoc.yaml"
    path.write_text(config)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--adapter", "email", "--config", str(path), cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")} | (env or {}),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode == 0, err.decode()
    return err.decode()


async def test_spoc_run_takes_pushed_mail_and_answers_by_mail(tmp_path: Path, smtp: SmtpCapture) -> None:
    listener, http = free_port(), free_port()
    process = await run_spoc(tmp_path, config_text(tmp_path, smtp, listener_port=listener, http_port=http))
    try:
        status = await ready(f"http://127.0.0.1:{http}", process)
        assert status["adapters"] == {"email": "connected"}
        await asyncio.to_thread(push, listener, mail(subject="monitor flickers", body="since the new dock"))
        (opened,) = await asyncio.to_thread(smtp.wait_for, 1, timeout=TIMEOUT)
        assert opened.rcpt_tos == ["dana@example.com"] and "INC-1 opened" in opened.plain()
    finally:
        log = await stop(process)
    assert f"e-mail listener (SMTP) on 127.0.0.1:{listener}" in log


async def test_spoc_run_reads_the_mailbox_with_its_password_from_the_environment(
        tmp_path: Path, smtp: SmtpCapture, dovecot: Dovecot, mailbox_user: str) -> None:
    listener, http = free_port(), free_port()
    imap = (f"  imap: {{host: 127.0.0.1, port: {dovecot.port}, security: none, username: {mailbox_user}, "
            'password: "${EMAIL_IMAP_PASSWORD}"}')
    dovecot.deliver(mailbox_user, mail(subject="scanner offline", body="the scanner on floor 3 is offline"))
    process = await run_spoc(tmp_path, config_text(tmp_path, smtp, listener_port=listener, http_port=http,
                                                   imap=imap), env={"EMAIL_IMAP_PASSWORD": Dovecot.PASSWORD})
    try:
        await ready(f"http://127.0.0.1:{http}", process)
        (opened,) = await asyncio.to_thread(smtp.wait_for, 1, timeout=TIMEOUT)
        assert "INC-1 opened" in opened.plain() and opened["Subject"] == "Re: scanner offline [INC-1]"
    finally:
        await stop(process)
    assert ["\\Seen" in f for f in dovecot.flags(mailbox_user)] == [True]
