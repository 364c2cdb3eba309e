"""Personal data never reach the logs. The code logs no names, phones or identity numbers;
as a safety net, `install_log_redaction()` masks identity numbers and mobile phone numbers
in every log record, whichever library writes it (a log record factory: it sees records of
every logger, before any handler or formatter)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

# 18-character resident identity numbers (the last may be X) and mainland mobile numbers,
# not inside longer runs of digits (ids, amounts, timestamps).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")

_installed: list[Any] = []


def redact(text: str) -> str:
    """Mask identity and mobile numbers: 371428198001010011 -> 3714**********0011."""
    text = _ID_NUMBER.sub(lambda m: m.group()[:4] + "*" * 10 + m.group()[-4:], text)
    return _MOBILE.sub(lambda m: m.group()[:-8] + "****" + m.group()[-4:], text)


def install_log_redaction() -> None:
    """Wrap the log record factory once per process (calling it again does nothing)."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return record
        cleaned = redact(message)
        if cleaned != message:
            _redact_record(record, cleaned)
        return record

    logging.setLogRecordFactory(factory)
    _installed.append(previous)


def _redact_record(record: logging.LogRecord, cleaned: str) -> None:
    """Mask the record's format string and each of its arguments, keeping their shape:
    formatters that read `record.args` (uvicorn's access log unpacks five of them) still
    work. Only when a number spans two arguments is the message flattened."""
    record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(a) for a in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {k: _redact_arg(v) for k, v in record.args.items()}
    try:
        formatted = record.getMessage()
    except (TypeError, ValueError):  # a masked number no longer fits its %d
        formatted = ""
    if formatted != cleaned:
        record.msg, record.args = cleaned, ()


def _redact_arg(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        return value if redact(text) == text else redact(text)
    return value


def uninstall_log_redaction() -> None:
    """Restore the previous factory (tests)."""
    if _installed:
        logging.setLogRecordFactory(_installed.pop())
