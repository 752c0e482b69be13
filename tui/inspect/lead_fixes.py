"""The fix that leads an inspection when the request itself shows the mistake and the venue's code table has no
fix for it (a separator, a time zone, a path a URL join bent): what a reviewer of the client's code would say.

A reproduced signing mistake whose fix the code table has (re-serialised bodies: "sign the bytes you send";
the memo; whitespace) is led by that table fix with the forensics as its evidence (tui.inspect.report); these
are the rest. Findings lead whenever the answer is an error; a reproduced mistake leads when no fix of the
table's was backed by evidence.
"""

from __future__ import annotations

from keys.variants import MEANINGS

FINDING_FIXES = {
    "key-is-secret": ("Revoke this key pair now (its secret was sent in a header) and create a new one; send the access "
                      "key in the key header and use the secret only to key the HMAC."),
    "timestamp-time-zone": ("Take the timestamp from the epoch clock, which no time zone changes: Python "
                            "str(time.time_ns() // 1_000_000), not datetime.utcnow().timestamp(); JavaScript Date.now()."),
    "timestamp-stale": ("Read the clock and sign for every request, right before sending: never keep a timestamp from "
                        "start-up or an earlier call, nor re-send old headers on a retry."),
    "path-trailing-slash": "Call the endpoint's path exactly as documented, without the trailing slash.",
    "path-double-slash": "Join the base URL and the path with one '/': drop the base URL's trailing '/' or the path's leading one.",
    "body-js-object": "Send JSON.stringify(params) as the body (fetch does not serialise an object) and sign that same string.",
    "body-not-utf8": "Send the body as UTF-8 bytes you encoded yourself (data=body.encode('utf-8')): the bytes you signed.",
    "body-newlines-stripped": "Send the file with curl --data-binary @file, which keeps its newlines, or sign the body as curl sends it.",
    "venue-time-endpoint": ("Read the server's clock from the Date header of any answer (`keyprobe skew --venue wooxpro` "
                            "does); with ccxt, leave adjustForTimeDifference off."),
}
VARIANT_FIXES = {
    "separator-other": "Join the three parts with '#': timestamp + '#' + memo + '#' + payload.",
    "preimage-order": "Put the parts in the venue's order, '#' between them: timestamp, then memo, then payload.",
    "preimage-empty-part-dropped": ("Keep the last '#' when the payload is empty: the string is timestamp#memo# "
                                    "(f\"{ts}#{memo}#{payload}\", not '#'.join of the parts that are not empty)."),
    "preimage-echo-dash-n": ("Feed openssl with printf '%s' \"$ts#$memo#$body\" instead of echo -n: the echo of macOS's "
                             "/bin/sh prints the -n, and a newline."),
    "timestamp-float": ("Make the timestamp an int once and use that one string in the header and in the signed string: "
                        "ts = str(int(time.time() * 1000))."),
    "digest-sha3-256": "Use HMAC-SHA256 (hashlib.sha256 or 'sha256'), not SHA3-256.",
    "digest-hex-base64": "Send the hex digest itself (hexdigest(), digest('hex')), without base64-encoding it.",
    "signature-openssl-label": ("Send only the hex digits of openssl's output: openssl dgst -sha256 -hmac \"$SECRET\" | "
                                "awk '{print $NF}'."),
    "url-signed": "Sign the query string only (what follows '?', without it), not the URL.",
    "woox-v1-scheme": ("Sign WOO X Pro's string, timestamp#memo#payload (BitMart's scheme), not WOO X's params|timestamp: "
                       "WOO X is another venue."),
}


def lead_fix(finding_ids_and_sentences: list[tuple[str, str]], variants: tuple[str, ...]) -> tuple[str, str, bool] | None:
    """(fix, evidence, from a finding) of the first finding, else the first reproduced mistake, that has a lead fix."""
    for fid, sentence in finding_ids_and_sentences:
        if fid in FINDING_FIXES:
            return FINDING_FIXES[fid], sentence, True
    for vid in variants:
        if vid in VARIANT_FIXES:
            return VARIANT_FIXES[vid], f"its signature is reproduced by signing {MEANINGS[vid]} ({vid})", False
    return None
