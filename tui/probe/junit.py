"""The probe ladder as JUnit XML, in the shape pytest's junitxml writes, for CI systems to read.

    <testsuites name="keyprobe probe">
      <testsuite name="keyprobe probe: profile main" errors="0" failures="1" skipped="0" tests="4" time="0.412"
                 timestamp="2026-12-07T16:33:23.255701+00:00" hostname="runner">
        <properties><property name="key" value="profile main (#d84ea451)" /> ...</properties>
        <testcase classname="keyprobe.probe.main" name="public" time="0.012" />
        <testcase classname="keyprobe.probe.main" name="keyed" time="0.004">
          <failure message="30003 Header X-BM-KEY has frozen: ...">the evidence and the fixes</failure>
        </testcase>
        ...

One testsuite per key probed, one testcase per rung, whatever rungs the ladder has. A rung that could not be
decided (skipped after the venue did not answer, or a clock that could not be read) is <skipped>, as
pytest.skip writes it. The text is what the probe prints: URLs, codes, the venue's messages and keys as
fingerprints; no secret, memo or key reaches the probe's report. Characters XML 1.0 cannot carry (a
server's control bytes) are written as \\xNN.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# XML 1.0's Char production: anything else in a server's message would make the file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CLASS_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]+")


@dataclass(frozen=True)
class ProbedKey:
    """One key's ladder: `label` names it for people (`profile main`), `key` is how it was found (fingerprints only)."""

    label: str
    key: str
    report: Any  # tui.probe.ladder.ProbeReport
    timestamp: str  # ISO 8601, when its probe began


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def class_name(label: str) -> str:
    """`keyprobe.probe.<label>`: a dotted name CI reports group by, with the label's odd characters as `_`."""
    return "keyprobe.probe." + (_CLASS_UNSAFE.sub("_", label).strip("_") or "key")


def _failure_text(step: Any) -> str:
    lines = [step.detail]
    diagnosis = getattr(step, "diagnosis", None)
    fixes = [fix.text for fix in diagnosis.fixes] if diagnosis is not None else []
    if fixes:
        lines.append("")
        lines.append("What to do:")
        lines += [f"{n}. {fix}" for n, fix in enumerate(fixes, start=1)]
    return "\n".join(lines)


def _failure_message(step: Any, report: Any) -> str:
    """The first failing rung carries the ladder's verdict; a rung failing above it, its own headline."""
    if report.first_failure is step:
        return report.verdict
    diagnosis = getattr(step, "diagnosis", None)
    return f"The {step.name} layer fails. {diagnosis.headline if diagnosis is not None else step.detail}"


def testsuite(probed: ProbedKey, hostname: str) -> ET.Element:
    report = probed.report
    steps = list(report.steps)
    failures = sum(1 for s in steps if s.ok is False)
    skipped = sum(1 for s in steps if s.ok is None)
    suite = ET.Element("testsuite", {
        "name": xml_text(f"keyprobe probe: {probed.label}"),
        "errors": "0",
        "failures": str(failures),
        "skipped": str(skipped),
        "tests": str(len(steps)),
        "time": f"{sum(s.ms for s in steps) / 1000:.3f}",
        "timestamp": probed.timestamp,
        "hostname": xml_text(hostname),
    })
    properties = ET.SubElement(suite, "properties")
    for name, value in (("key", probed.key), ("venue", report.venue.id), ("base_url", report.venue.base_url),
                        ("verdict", report.verdict)):
        ET.SubElement(properties, "property", {"name": name, "value": xml_text(str(value))})
    classname = class_name(probed.label)
    for step in steps:
        case = ET.SubElement(suite, "testcase", {"classname": classname, "name": step.name, "time": f"{step.ms / 1000:.3f}"})
        if step.ok is False:
            failure = ET.SubElement(case, "failure", {"message": xml_text(_failure_message(step, report))})
            failure.text = xml_text(_failure_text(step))
        elif step.ok is None:
            skip = ET.SubElement(case, "skipped", {"type": "keyprobe.skip", "message": xml_text(step.detail)})
            skip.text = xml_text(f"{step.title}: {step.detail}")
    return suite


def junit_xml(probed: Sequence[ProbedKey], hostname: str | None = None) -> bytes:
    """The whole document, UTF-8, with the XML declaration pytest writes."""
    root = ET.Element("testsuites", {"name": "keyprobe probe"})
    host = hostname if hostname is not None else socket.gethostname()
    for one in probed:
        root.append(testsuite(one, host))
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8", short_empty_elements=True,
                                                                    xml_declaration=False)
